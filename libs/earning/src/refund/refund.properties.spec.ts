import { evolveMember } from '@tally/member-ledger';
import fc from 'fast-check';
import { Fold, MEMBER, contextFor, dataOf, eventsOf, evolveTrackingRefunds, given, purchase, refund, run, tierChanged } from '../testing/earn.fixtures';

const exactClawback = (points: number, amountMinor: number, refundedMinor: number): number =>
  refundedMinor >= amountMinor ? points : Number((BigInt(points) * BigInt(refundedMinor)) / BigInt(amountMinor));

const scenario = fc
  .record({
    amountMinor: fc.integer({ min: 100, max: 1_000_000_000 }),
    tier: fc.constantFrom('member', 'silver', 'gold', 'diamond'),
    shares: fc.array(fc.double({ min: 0, max: 0.7, noNaN: true }), { minLength: 1, maxLength: 8 }),
  })
  .map(({ amountMinor, tier, shares }) => ({
    tier,
    order: purchase({ amountMinor }),
    refunds: shares.map((share, i) => refund({ refundId: `r-${i}`, amountMinor: Math.max(1, Math.floor(amountMinor * share)) })),
  }));

/** Clawbacks after each refund, checked against the order's points and the exact cumulative rule. */
const check = (evolve: Fold, exact: boolean) =>
  fc.property(scenario, ({ tier, order, refunds }) => {
    // given a purchase by a member at some tier
    const { members } = run([order], contextFor(), { [MEMBER]: given(MEMBER, tierChanged(MEMBER, tier)) }, evolve);
    const orderPoints = members[MEMBER].orders.get('o-555')?.points ?? Number.NaN;
    // when partial refunds arrive one by one
    let state = members;
    let refunded = 0;
    for (const each of refunds) {
      const step = run([each], contextFor(), state, evolve);
      state = step.members;
      refunded += each.amountMinor;
      // then every clawback is whole and non-negative, and the total stays within the rule
      const clawback = dataOf('points.clawed-back', eventsOf(step.decisions[0])[0]);
      expect(Number.isInteger(clawback.points) && clawback.points >= 0).toBe(true);
      const total = state[MEMBER].orders.get('o-555')?.clawedBack ?? Number.NaN;
      expect(total).toBeLessThanOrEqual(orderPoints);
      if (exact) expect(total).toBe(exactClawback(orderPoints, order.amountMinor, refunded));
      else expect(total).toBeLessThanOrEqual(exactClawback(orderPoints, order.amountMinor, refunded));
    }
  });

describe('cumulative clawback (properties)', () => {
  it("never exceeds the order's points, for any sequence of partial refunds", () => {
    fc.assert(check(evolveMember, false), { numRuns: 300 });
  });

  it('is exactly floor(points * refunded / amount) when the member ledger tracks refunded amounts', () => {
    fc.assert(check(evolveTrackingRefunds, true), { numRuns: 300 });
  });
});
