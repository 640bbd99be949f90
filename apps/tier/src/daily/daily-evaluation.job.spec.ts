import { TierService } from '../tiers/tier.service';
import { DailyEvaluationJob } from './daily-evaluation.job';

describe('the daily evaluation job', () => {
  it('evaluates once per UTC day, from the configured hour on, and again after a failure', async () => {
    let now = new Date('2026-11-23T01:59:00Z');
    const runs: string[] = [];
    let fail = false;
    const tiers = {
      evaluateDaily: async (asOf: string) => {
        if (fail) throw new Error('database down');
        runs.push(asOf);
        return { asOf, day: asOf.slice(0, 10), membersEvaluated: 0, upgraded: 0, downgraded: 0, protected: 0, alreadyEvaluated: 0 };
      },
    } as unknown as TierService;
    const job = new DailyEvaluationJob(tiers, () => now, { enabled: false, hour: 2 });

    await job.tick();
    expect(runs).toEqual([]);
    now = new Date('2026-11-23T02:00:00Z');
    await job.tick();
    now = new Date('2026-11-23T23:00:00Z');
    await job.tick();
    expect(runs).toEqual(['2026-11-23T02:00:00.000Z']);

    now = new Date('2026-11-24T05:00:00Z');
    fail = true;
    await job.tick();
    fail = false;
    now = new Date('2026-11-24T05:01:00Z');
    await job.tick();
    expect(runs).toEqual(['2026-11-23T02:00:00.000Z', '2026-11-24T05:01:00.000Z']);
  });
});
