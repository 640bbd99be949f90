import { Topics } from '@tally/contracts';
import { listeningUrl } from '@tally/platform';
import { Client } from 'pg';
import { EarnHarness, eventually, purchase, sleep } from './testing/earn-harness';

const STALL_SECONDS = 3;

describe('earn tells through /health when its consumer makes no progress', () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('liveness'));
  afterAll(() => h.stop());

  const get = async (url: string) => {
    const response = await fetch(url);
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
    return { status: response.status, text, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as any };
  };

  it('answers 503 while messages wait and nothing is committed for the stall time, then 200 once it progresses', async () => {
    const url = listeningUrl(await h.startEarn(undefined, { TALLY_CONSUMER_STALL_SECONDS: String(STALL_SECONDS) }));
    const applied = (count: number) => async () => ((await h.count('SELECT count(*) FROM ledger_events')) === count ? true : undefined);
    await h.publish(Topics.purchases.name, [{ key: 'm-1', value: purchase(1, 'm-1') }]);
    await eventually(applied(1), 60_000, 'the first purchase applied');
    // Idle longer than the stall time, with nothing waiting: healthy.
    await sleep((STALL_SECONDS + 1) * 1000);
    expect(await get(`${url}/health`)).toMatchObject({ status: 200, body: { status: 'ok', checks: { consumer: { status: 'up' } } } });

    // Appends wait behind a lock the test holds: the consumer is stuck while PostgreSQL and Kafka answer.
    const locker = new Client({ connectionString: h.db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE ledger_events IN ACCESS EXCLUSIVE MODE');
    try {
      await h.publish(
        Topics.purchases.name,
        Array.from({ length: 10 }, (_, i) => ({ key: 'm-2', value: purchase(2 + i, 'm-2') })),
      );
      const down = await eventually(
        async () => {
          const health = await get(`${url}/health`);
          return health.status === 503 ? health : undefined;
        },
        60_000,
        '/health answering 503',
      );
      expect(down.body).toMatchObject({
        status: 'error',
        error: 'unavailable',
        checks: {
          postgres: { status: 'up' },
          kafka: { status: 'up' },
          consumer: { status: 'down', message: expect.stringMatching(/loyalty\.purchases\.v1\/\d+: no progress for \d+ s with 10 message\(s\) waiting/) },
        },
      });
      const metrics = (await get(`${url}/metrics`)).text;
      expect(metrics).toMatch(/tally_consumer_lag_messages\{[^}]*topic="loyalty\.purchases\.v1"[^}]*\} 10\n/);
      expect(metrics).toMatch(/tally_consumer_seconds_since_progress\{[^}]*topic="loyalty\.purchases\.v1"[^}]*\} [1-9]/);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }

    await eventually(async () => ((await get(`${url}/health`)).status === 200 ? true : undefined), 60_000, '/health answering 200 again');
    await eventually(applied(11), 30_000, 'every purchase applied');
    await eventually(
      async () => (/tally_consumer_lag_messages\{[^}]*topic="loyalty\.purchases\.v1"[^}]*\} 10\n/.test((await get(`${url}/metrics`)).text) ? undefined : true),
      30_000,
      'the lag gone from /metrics',
    );
  });
});
