import { balanceOf } from '@tally/member-ledger';
import { decideRedeem } from '../redeem/redeem.decider';
import { MEMBER_ID, RULES, T0, after, earned, given } from '../testing/ledger.fixtures';
import { RedemptionRecord, decideReverse } from './reverse.decider';

const SOON = '2026-03-01T00:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';
const REVERSED_AT = '2026-01-11T09:00:00.000Z';

/** The state after redemption rd-1, and rd-1's record as the caller keeps it (the state does not). */
const redeemed = (points: number, rewardId?: string) => {
  const state = given(earned('lot-late', 300, LATER), earned('lot-soon', 500, SOON));
  const decision = decideRedeem(state, { redemptionId: 'rd-1', points, storeId: 'sh-07', occurredAt: T0, ...(rewardId ? { rewardId } : {}) }, RULES);
  if (decision.kind !== 'append') throw new Error(decision.kind);
  const record: RedemptionRecord = {
    redemptionId: 'rd-1',
    points: decision.result.points,
    storeId: 'sh-07',
    fromLots: decision.result.fromLots,
    ...(rewardId ? { rewardId } : {}),
  };
  return { state: after(state, decision), record };
};

describe('decideReverse', () => {
  it("puts the points back into the redemption's lots, keeping their expiry", () => {
    // given a redemption that emptied one lot and took from another
    const { state, record } = redeemed(600);
    expect(state.lots.get('lot-soon')).toBeUndefined();
    // when
    const decision = decideReverse(state, record, { redemptionId: 'rd-1', occurredAt: REVERSED_AT });
    // then
    const toLots = [
      { lotId: 'lot-soon', points: 500, expiresAt: SOON },
      { lotId: 'lot-late', points: 100, expiresAt: LATER },
    ];
    expect(decision).toEqual({
      kind: 'append',
      events: [{ type: 'redemption.reversed', memberId: MEMBER_ID, occurredAt: REVERSED_AT, data: { redemptionId: 'rd-1', points: 600, toLots } }],
      result: { redemptionId: 'rd-1', points: 600, toLots, available: 800 },
    });
    const reversed = after(state, decision);
    expect(balanceOf(reversed).available).toBe(800);
    expect(reversed.lots.get('lot-soon')).toMatchObject({ remaining: 500, expiresAt: SOON });
    expect(reversed.lots.get('lot-late')).toMatchObject({ remaining: 300, expiresAt: LATER });
  });

  it('names the reward so the service can restock it', () => {
    const { state, record } = redeemed(500, 'tea');
    expect(decideReverse(state, record, { redemptionId: 'rd-1', occurredAt: REVERSED_AT })).toMatchObject({ kind: 'append', result: { rewardId: 'tea' } });
  });

  it('refuses without the redemption, or with another one, with REDEMPTION_NOT_FOUND', () => {
    const { state, record } = redeemed(600);
    expect(decideReverse(state, undefined, { redemptionId: 'rd-2', occurredAt: REVERSED_AT })).toMatchObject({
      kind: 'reject',
      code: 'REDEMPTION_NOT_FOUND',
      details: { redemptionId: 'rd-2' },
    });
    expect(decideReverse(state, record, { redemptionId: 'rd-2', occurredAt: REVERSED_AT })).toMatchObject({ kind: 'reject', code: 'REDEMPTION_NOT_FOUND' });
  });

  it('reads nothing about the redemption from the state, which keeps no record of it', () => {
    const { state, record } = redeemed(600);
    expect(state).not.toHaveProperty('redemptions');
    const reversed = after(state, decideReverse(state, record, { redemptionId: 'rd-1', occurredAt: REVERSED_AT }));
    expect(reversed).not.toHaveProperty('redemptions');
    expect(balanceOf(reversed)).toMatchObject({ available: 800, lifetimeRedeemed: 0 });
  });
});
