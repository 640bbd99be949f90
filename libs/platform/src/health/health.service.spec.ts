import { runHealthChecks } from './health.service';

const up = (name: string) => ({ name, check: async () => undefined });
const down = (name: string, message: string) => ({ name, check: async () => Promise.reject(new Error(message)) });
const hanging = (name: string) => ({ name, check: () => new Promise<void>(() => undefined) });

describe('runHealthChecks', () => {
  it('is ok when every check is up', async () => {
    expect(await runHealthChecks([up('postgres'), up('kafka')])).toEqual({
      status: 'ok',
      checks: { postgres: { status: 'up' }, kafka: { status: 'up' } },
    });
  });

  it('is ok with no checks at all', async () => {
    expect(await runHealthChecks([])).toEqual({ status: 'ok', checks: {} });
  });

  it('reports each failing check with its reason', async () => {
    expect(await runHealthChecks([up('postgres'), down('kafka', 'Connection error: ECONNREFUSED')])).toEqual({
      status: 'error',
      checks: { postgres: { status: 'up' }, kafka: { status: 'down', message: 'Connection error: ECONNREFUSED' } },
    });
  });

  it('counts a check that does not answer in time as down', async () => {
    const report = await runHealthChecks([hanging('kafka')], 20);
    expect(report.checks.kafka).toEqual({ status: 'down', message: 'no answer within 20 ms' });
  });
});
