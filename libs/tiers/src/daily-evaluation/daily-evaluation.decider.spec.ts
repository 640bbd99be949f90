import { MEMBER_ID, RULES, earnedAt, eventsOf, fold, given, tierChangedAt } from '../testing/ledger.fixtures';
import { decideDailyEvaluation } from './daily-evaluation.decider';

const UPGRADED_AT = '2025-03-01T00:00:00.000Z';
const PROTECTION_ENDS = '2026-03-01T00:00:00.000Z';
const TO_EARNED = { ...RULES, downgrade: { policy: 'to-earned', minDaysAfterUpgrade: 365 } } as const;

/** A diamond since UPGRADED_AT whose qualifying points (1500, earned on 2025-09-01) now reach only silver. */
const diamond = (floor?: string) =>
  given(
    earnedAt('2025-09-01T00:00:00Z', 1500),
    tierChangedAt(UPGRADED_AT, 'member', 'diamond'),
    ...(floor ? [tierChangedAt(UPGRADED_AT, 'diamond', 'diamond', 'ops-floor-set', floor)] : []),
  );

describe('decideDailyEvaluation', () => {
  it("one-step: lowers the tier by one once the last upgrade's protection is over", () => {
    const decision = decideDailyEvaluation(diamond(), PROTECTION_ENDS, RULES);
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'tier.changed',
          memberId: MEMBER_ID,
          occurredAt: PROTECTION_ENDS,
          data: { from: 'diamond', to: 'gold', qualifyingPoints: 1500, reason: 'daily-evaluation' },
        },
      ],
      result: { memberId: MEMBER_ID, from: 'diamond', to: 'gold', qualifyingPoints: 1500, changed: true },
    });
    const state = fold(diamond(), eventsOf(decision));
    expect(state).toMatchObject({ tier: 'gold', lastUpgradeAt: UPGRADED_AT });
  });

  it('to-earned: lowers the tier straight to the earned one', () => {
    expect(eventsOf(decideDailyEvaluation(diamond(), PROTECTION_ENDS, TO_EARNED))[0]?.data).toMatchObject({ from: 'diamond', to: 'silver' });
  });

  it('never downgrades within minDaysAfterUpgrade days of the last upgrade', () => {
    expect(decideDailyEvaluation(diamond(), '2026-02-28T23:59:59.999Z', RULES)).toEqual({
      kind: 'skip',
      result: { memberId: MEMBER_ID, from: 'diamond', to: 'diamond', qualifyingPoints: 1500, changed: false, protectedUntil: PROTECTION_ENDS },
    });
  });

  it('never goes below the floor ops set', () => {
    expect(decideDailyEvaluation(diamond('diamond'), PROTECTION_ENDS, TO_EARNED)).toMatchObject({ kind: 'skip', result: { to: 'diamond' } });
    expect(eventsOf(decideDailyEvaluation(diamond('gold'), PROTECTION_ENDS, TO_EARNED))[0]?.data).toMatchObject({ from: 'diamond', to: 'gold' });
    expect(eventsOf(decideDailyEvaluation(diamond('silver'), PROTECTION_ENDS, RULES))[0]?.data).toMatchObject({ to: 'gold' });
  });

  it('decides nothing when the earned tier is not below the current one', () => {
    const state = given(earnedAt('2025-09-01T00:00:00Z', 6000), tierChangedAt(UPGRADED_AT, 'member', 'gold'));
    expect(decideDailyEvaluation(state, PROTECTION_ENDS, RULES)).toMatchObject({ kind: 'skip', result: { to: 'gold' } });
  });

  it('upgrades a member whose points reach a higher tier, as the upgrade check would have', () => {
    const state = given(earnedAt('2025-09-01T00:00:00Z', 6000));
    expect(eventsOf(decideDailyEvaluation(state, PROTECTION_ENDS, RULES))[0]?.data).toEqual({
      from: 'member',
      to: 'gold',
      qualifyingPoints: 6000,
      reason: 'threshold-reached',
    });
  });

  it('decides nothing for a member on the lowest tier', () => {
    expect(decideDailyEvaluation(given(), PROTECTION_ENDS, RULES)).toMatchObject({ kind: 'skip', result: { to: 'member' } });
  });

  it('lowers a member never upgraded (e.g. migrated) without waiting', () => {
    const state = given(tierChangedAt('2026-01-01T00:00:00Z', 'member', 'gold', 'migration'));
    expect(eventsOf(decideDailyEvaluation(state, '2026-01-02T00:00:00Z', RULES))[0]?.data).toMatchObject({ from: 'gold', to: 'silver' });
  });

  it('moves a member off a tier the program no longer defines, to the earned tier or the floor', () => {
    const state = given(earnedAt('2025-09-01T00:00:00Z', 1500), tierChangedAt('2026-01-01T00:00:00Z', 'member', 'platinum'));
    expect(eventsOf(decideDailyEvaluation(state, '2026-01-02T00:00:00Z', RULES))[0]?.data).toMatchObject({
      from: 'platinum',
      to: 'silver',
      reason: 'tier-not-in-program',
    });
  });
});
