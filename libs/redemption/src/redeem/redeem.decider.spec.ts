import { balanceOf } from '@tally/member-ledger';
import { MEMBER_ID, RULES, T0, after, clawedBack, earned, given, tierChanged } from '../testing/ledger.fixtures';
import { decideHold } from '../hold/hold.decider';
import { decideRedeem } from './redeem.decider';

const SOON = '2026-03-01T00:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';
const cash = (redemptionId: string, points: number) => ({ redemptionId, points, storeId: 'sh-07', occurredAt: T0 });

describe('decideRedeem', () => {
  describe('a cash deduction', () => {
    it('spends soonest-expiring lots first and records the money value', () => {
      // given two lots, the later-earned one expiring sooner
      const state = given(earned('lot-late', 300, LATER), earned('lot-soon', 500, SOON));
      // when
      const decision = decideRedeem(state, cash('rd-1', 600), RULES);
      // then
      expect(decision).toEqual({
        kind: 'append',
        events: [
          {
            type: 'points.redeemed',
            memberId: MEMBER_ID,
            occurredAt: T0,
            data: {
              points: 600,
              redemptionId: 'rd-1',
              storeId: 'sh-07',
              fromLots: [
                { lotId: 'lot-soon', points: 500, expiresAt: SOON },
                { lotId: 'lot-late', points: 100, expiresAt: LATER },
              ],
              valueMinor: 600,
              currency: 'CNY',
            },
          },
        ],
        result: {
          redemptionId: 'rd-1',
          points: 600,
          fromLots: [
            { lotId: 'lot-soon', points: 500, expiresAt: SOON },
            { lotId: 'lot-late', points: 100, expiresAt: LATER },
          ],
          valueMinor: 600,
          currency: 'CNY',
          available: 200,
        },
      });
      expect(balanceOf(after(state, decision)).available).toBe(200);
    });

    it('may spend every available point', () => {
      const state = given(earned('lot-1', 250, LATER));
      const decision = decideRedeem(state, cash('rd-1', 250), RULES);
      expect(decision.kind === 'append' && decision.result.available).toBe(0);
      expect(after(state, decision).lots.size).toBe(0);
    });

    it('values points at the given rate, rounding down to whole minor units', () => {
      const state = given(earned('lot-1', 1000, LATER));
      const decision = decideRedeem(state, cash('rd-1', 199), { ...RULES, redemption: { points: 10, valueMinor: 1, currency: 'USD' } });
      expect(decision).toMatchObject({ kind: 'append', result: { valueMinor: 19, currency: 'USD' } });
    });

    it.each([0, -5, 1.5, Number.NaN])('refuses %p points with INVALID_POINTS', (points) => {
      const state = given(earned('lot-1', 1000, LATER));
      expect(decideRedeem(state, cash('rd-1', points), RULES)).toMatchObject({ kind: 'reject', code: 'INVALID_POINTS' });
    });

    it('refuses more than available with INSUFFICIENT_POINTS and says what is available', () => {
      const state = given(earned('lot-1', 300, LATER));
      expect(decideRedeem(state, cash('rd-1', 301), RULES)).toEqual({
        kind: 'reject',
        memberId: MEMBER_ID,
        code: 'INSUFFICIENT_POINTS',
        message: expect.any(String),
        details: { available: 300, requested: 301 },
        result: undefined,
        final: false,
      });
    });

    it('refuses everything while the member is in debt', () => {
      // given a refund clawed back more than the lots held: available is negative
      const state = given(earned('lot-1', 100, LATER), clawedBack(150, [{ lotId: 'lot-1', points: 100, expiresAt: LATER }], 50));
      expect(balanceOf(state).available).toBe(-50);
      expect(decideRedeem(state, cash('rd-1', 1), RULES)).toMatchObject({ kind: 'reject', code: 'INSUFFICIENT_POINTS', details: { available: -50 } });
    });

    it('does not spend pending points', () => {
      const state = given(earned('lot-1', 100, LATER), earned('lot-2', 500, LATER, { availableAt: '2026-02-01T00:00:00Z' }));
      expect(decideRedeem(state, cash('rd-1', 101), RULES)).toMatchObject({ kind: 'reject', code: 'INSUFFICIENT_POINTS', details: { available: 100 } });
    });

    it('does not spend held points', () => {
      const state0 = given(earned('lot-1', 500, LATER));
      const state = after(state0, decideHold(state0, { holdId: 'h-1', points: 400, storeId: 'sh-07', ttlSeconds: 600, occurredAt: T0 }));
      expect(decideRedeem(state, cash('rd-1', 101), RULES)).toMatchObject({ kind: 'reject', code: 'INSUFFICIENT_POINTS', details: { available: 100 } });
      expect(decideRedeem(state, cash('rd-1', 100), RULES)).toMatchObject({ kind: 'append', result: { fromLots: [{ lotId: 'lot-1', points: 100 }] } });
    });

    it("keeps no record of the redemption in the state (a reused id is the caller's idempotency to catch)", () => {
      const state0 = given(earned('lot-1', 500, LATER));
      const state = after(state0, decideRedeem(state0, cash('rd-1', 100), RULES));
      expect(state).not.toHaveProperty('redemptions');
      expect(state.totals.redeemed).toBe(100);
    });
  });

  describe('a reward', () => {
    const reward = (rewardId: string, occurredAt = T0, points?: number) => ({
      redemptionId: 'rd-1',
      storeId: 'sh-07',
      rewardId,
      occurredAt,
      ...(points !== undefined ? { points } : {}),
    });

    it("costs the reward's price and names the reward", () => {
      const state = given(earned('lot-1', 1000, LATER));
      const decision = decideRedeem(state, reward('tea'), RULES);
      expect(decision).toMatchObject({ kind: 'append', result: { points: 500, available: 500, valueMinor: 500 } });
      expect(decision.kind === 'append' && decision.events[0]?.data).toMatchObject({ rewardId: 'tea', points: 500 });
      expect(balanceOf(after(state, decision))).toMatchObject({ available: 500, lifetimeRedeemed: 500 });
    });

    it('accepts points equal to the price', () => {
      const state = given(earned('lot-1', 1000, LATER));
      expect(decideRedeem(state, reward('tea', T0, 500), RULES)).toMatchObject({ kind: 'append', result: { points: 500 } });
    });

    it('refuses points that differ from the price with REWARD_PRICE_MISMATCH', () => {
      const state = given(earned('lot-1', 1000, LATER));
      expect(decideRedeem(state, reward('tea', T0, 1), RULES)).toMatchObject({
        kind: 'reject',
        code: 'REWARD_PRICE_MISMATCH',
        details: { price: 500, points: 1 },
      });
    });

    it('refuses an unknown reward with REWARD_NOT_FOUND', () => {
      const state = given(earned('lot-1', 1000, LATER));
      expect(decideRedeem(state, reward('yacht'), RULES)).toMatchObject({ kind: 'reject', code: 'REWARD_NOT_FOUND', details: { rewardId: 'yacht' } });
    });

    it.each(['2026-08-31T23:59:59.999Z', '2026-10-01T00:00:00.000Z', '2026-10-01T08:00:00+08:00'])(
      'refuses a reward outside its window [from, until) at %s with REWARD_NOT_AVAILABLE',
      (at) => {
        const state = given(earned('lot-1', 1000, LATER));
        expect(decideRedeem(state, reward('mooncake', at), RULES)).toMatchObject({
          kind: 'reject',
          code: 'REWARD_NOT_AVAILABLE',
          details: { validFrom: '2026-09-01T00:00:00Z', validTo: '2026-10-01T00:00:00Z' },
        });
      },
    );

    it.each(['2026-09-01T00:00:00.000Z', '2026-09-30T23:59:59.999Z', '2026-10-01T07:59:59+08:00'])('accepts a reward inside its window at %s', (at) => {
      const state = given(earned('lot-1', 1000, LATER));
      expect(decideRedeem(state, reward('mooncake', at), RULES)).toMatchObject({ kind: 'append', result: { points: 800 } });
    });

    it('refuses a reward above the member tier with TIER_TOO_LOW', () => {
      const state = given(earned('lot-1', 5000, LATER), tierChanged('member', 'silver'));
      expect(decideRedeem(state, reward('mug'), RULES)).toMatchObject({
        kind: 'reject',
        code: 'TIER_TOO_LOW',
        details: { tier: 'silver', requiredTier: 'gold' },
      });
    });

    it('accepts a tier reward for that tier and above', () => {
      for (const tier of ['gold', 'diamond']) {
        const state = given(earned('lot-1', 5000, LATER), tierChanged('member', tier));
        expect(decideRedeem(state, reward('mug'), RULES)).toMatchObject({ kind: 'append', result: { points: 2000 } });
      }
    });

    it('refuses a reward the member cannot afford with INSUFFICIENT_POINTS', () => {
      const state = given(earned('lot-1', 499, LATER));
      expect(decideRedeem(state, reward('tea'), RULES)).toMatchObject({
        kind: 'reject',
        code: 'INSUFFICIENT_POINTS',
        details: { available: 499, requested: 500 },
      });
    });
  });
});
