import { Topics } from '@tally/contracts';
import { planBatch } from './ingest.plan';

const NOW = new Date('2026-12-07T00:00:00Z');
const checkIn = { eventId: 'ci-1', type: 'member.checked-in', occurredAt: '2026-12-06T08:00:00+08:00', memberId: 'm-1', storeId: 'sh-07' };
const referral = {
  eventId: 'ref-1',
  type: 'referral.completed',
  occurredAt: '2026-12-06T08:00:00+08:00',
  referrerId: 'm-1',
  refereeId: 'm-2',
  storeId: 'sh-07',
};

describe('planBatch', () => {
  it('sends each valid input to its topic under the key rule: the member, the referrer for a referral', () => {
    const plan = planBatch([checkIn, referral], 'sh-07', NOW);
    expect(plan.valid.map((p) => [p.topic, p.key])).toEqual([
      [Topics.checkIns.name, 'm-1'],
      [Topics.referrals.name, 'm-1'],
    ]);
  });

  it('takes the same eventId twice in one upload once, and refuses it with another body', () => {
    const plan = planBatch([checkIn, checkIn, { ...checkIn, memberId: 'm-9' }], undefined, NOW);
    expect(plan.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'invalid']);
    expect(plan.results[2].reason).toBe('idempotency_conflict');
    expect(plan.valid).toHaveLength(1);
  });

  it("refuses a store token another store's input, or one without a store; ops may send any", () => {
    const inputs = [
      { ...checkIn, storeId: 'bj-01' },
      { ...checkIn, eventId: 'ci-2', storeId: undefined },
    ];
    expect(planBatch(inputs, 'sh-07', NOW).results.map((r) => r.reason)).toEqual(['forbidden_store', 'forbidden_store']);
    expect(planBatch(inputs, undefined, NOW).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
  });

  it('judges an input dated over a day ahead as the consumer does', () => {
    const plan = planBatch([{ ...checkIn, occurredAt: '2026-12-09T08:00:00+08:00' }], undefined, NOW);
    expect(plan.results[0]).toMatchObject({ status: 'invalid', reason: 'occurred_in_future' });
  });
});
