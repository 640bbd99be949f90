import { MEMBER_ID, RULES, after, earnedAt, eventsOf, given, tierChangedAt } from '../testing/ledger.fixtures';
import { decideDailyEvaluation } from '../daily-evaluation/daily-evaluation.decider';
import { decideTierFloor } from './tier-floor.decider';

const NOW = '2026-03-02T12:00:00.000Z';
const ops = (tier: string) => ({ tier, reason: 'VIP partner', actor: 'ops:li' });

describe('decideTierFloor', () => {
  it('raises the member to the floor at once, as an upgrade', () => {
    const state = given(earnedAt('2026-03-01T00:00:00Z', 1200));
    const decision = decideTierFloor(state, ops('gold'), NOW, RULES);
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'tier.changed',
          memberId: MEMBER_ID,
          occurredAt: NOW,
          data: { from: 'member', to: 'gold', qualifyingPoints: 1200, reason: 'ops-floor', floor: 'gold', actor: 'ops:li', note: 'VIP partner' },
        },
      ],
      result: { status: 'set', memberId: MEMBER_ID, from: 'member', tier: 'gold', floor: 'gold', changed: true, actor: 'ops:li', note: 'VIP partner' },
    });
    expect(after(state, decision)).toMatchObject({ tier: 'gold', tierFloor: 'gold', lastUpgradeAt: NOW });
  });

  it('sets a floor at or below the current tier without changing the tier or its protection', () => {
    const state = given(tierChangedAt('2024-01-01T00:00:00Z', 'member', 'diamond'));
    const decision = decideTierFloor(state, ops('silver'), NOW, RULES);
    expect(eventsOf(decision)[0]?.data).toEqual({
      from: 'diamond',
      to: 'diamond',
      qualifyingPoints: 0,
      reason: 'ops-floor-set',
      floor: 'silver',
      actor: 'ops:li',
      note: 'VIP partner',
    });
    const floored = after(state, decision);
    expect(floored).toMatchObject({ tier: 'diamond', tierFloor: 'silver', lastUpgradeAt: '2024-01-01T00:00:00Z' });
    // and the daily evaluation then stops at the floor
    const toEarned = { ...RULES, downgrade: { policy: 'to-earned', minDaysAfterUpgrade: 365 } } as const;
    expect(eventsOf(decideDailyEvaluation(floored, NOW, toEarned))[0]?.data).toMatchObject({ from: 'diamond', to: 'silver' });
  });

  it('decides nothing when the same floor is set again', () => {
    const state0 = given(earnedAt('2026-03-01T00:00:00Z', 10));
    const state = after(state0, decideTierFloor(state0, ops('gold'), NOW, RULES));
    expect(decideTierFloor(state, ops('gold'), NOW, RULES)).toMatchObject({ kind: 'skip', result: { status: 'set', tier: 'gold', changed: false } });
  });

  it('answers unknown-tier for a tier the program does not define, recording nothing', () => {
    const known = given(earnedAt('2026-03-01T00:00:00Z', 10));
    expect(decideTierFloor(known, ops('platinum'), NOW, RULES)).toEqual({
      kind: 'skip',
      result: {
        status: 'unknown-tier',
        memberId: MEMBER_ID,
        message: expect.any(String),
        tier: 'platinum',
        knownTiers: ['member', 'silver', 'gold', 'diamond'],
      },
    });
  });

  it('sets no floor for a member the ledger has never seen', () => {
    expect(decideTierFloor(given(), ops('gold'), NOW, RULES)).toEqual({ kind: 'skip', result: { status: 'unknown-member', memberId: MEMBER_ID } });
  });
});
