import { MEMBER_ID, RULES, earnedAt, eventsOf, fold, given, tierChangedAt } from '../testing/ledger.fixtures';
import { decideUpgrade } from './upgrade.decider';

const NOW = '2026-03-02T12:00:00.000Z';

describe('decideUpgrade', () => {
  it('upgrades as soon as the threshold is reached', () => {
    const state = given(earnedAt('2026-01-01T00:00:00Z', 600), earnedAt('2026-03-02T09:00:00Z', 400));
    const decision = decideUpgrade(state, NOW, RULES);
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'tier.changed',
          memberId: MEMBER_ID,
          occurredAt: NOW,
          data: { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'threshold-reached' },
        },
      ],
      result: { memberId: MEMBER_ID, from: 'member', to: 'silver', qualifyingPoints: 1000, changed: true },
    });
    expect(fold(state, eventsOf(decision))).toMatchObject({ tier: 'silver', lastUpgradeAt: NOW });
  });

  it('jumps several tiers at once', () => {
    const state = given(earnedAt('2026-03-02T09:00:00Z', 25000));
    expect(eventsOf(decideUpgrade(state, NOW, RULES))[0]?.data).toMatchObject({ from: 'member', to: 'diamond', qualifyingPoints: 25000 });
  });

  it('upgrades from a higher tier only to a still higher one', () => {
    const state = given(earnedAt('2026-03-02T09:00:00Z', 6000), tierChangedAt('2026-03-02T09:00:00Z', 'member', 'gold'));
    expect(decideUpgrade(state, NOW, RULES)).toMatchObject({ kind: 'skip', result: { to: 'gold', changed: false } });
    const more = fold(state, [earnedAt('2026-03-02T10:00:00Z', 14000)]);
    expect(eventsOf(decideUpgrade(more, NOW, RULES))[0]?.data).toMatchObject({ from: 'gold', to: 'diamond' });
  });

  it('decides nothing below the next threshold', () => {
    const state = given(earnedAt('2026-03-02T09:00:00Z', 999));
    expect(decideUpgrade(state, NOW, RULES)).toEqual({
      kind: 'skip',
      result: { memberId: MEMBER_ID, from: 'member', to: 'member', qualifyingPoints: 999, changed: false },
    });
  });

  it('never downgrades', () => {
    const state = given(tierChangedAt('2025-01-01T00:00:00Z', 'member', 'gold'));
    expect(decideUpgrade(state, NOW, RULES)).toMatchObject({ kind: 'skip', result: { to: 'gold', qualifyingPoints: 0 } });
  });

  it('leaves a tier the program does not define to the daily evaluation', () => {
    const state = given(earnedAt('2026-03-02T09:00:00Z', 6000), tierChangedAt('2026-01-01T00:00:00Z', 'member', 'platinum'));
    expect(decideUpgrade(state, NOW, RULES)).toMatchObject({ kind: 'skip', result: { to: 'platinum' } });
  });
});
