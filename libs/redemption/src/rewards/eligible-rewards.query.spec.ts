import { tierOrderOf } from '../redemption.rules';
import { RULES, T0, earned, given, tierChanged } from '../testing/ledger.fixtures';
import { eligibleRewards } from './eligible-rewards.query';

const LATER = '2026-06-01T00:00:00.000Z';
const TIER_ORDER = tierOrderOf(RULES);
const catalog = [...RULES.rewards, { id: 'lounge', points: 100, minTier: 'retired-tier' }];

describe('eligibleRewards', () => {
  it('lists the rewards whose tier and window fit, saying which are affordable', () => {
    const state = given(earned('lot-1', 600, LATER));
    expect(eligibleRewards(state, catalog, TIER_ORDER, T0)).toEqual([{ id: 'tea', points: 500, affordable: true }]);
  });

  it('shows tier rewards to members of that tier, affordable or not', () => {
    const state = given(earned('lot-1', 600, LATER), tierChanged('member', 'gold'));
    expect(eligibleRewards(state, catalog, TIER_ORDER, '2026-09-15T00:00:00Z')).toEqual([
      { id: 'tea', points: 500, affordable: true },
      { id: 'mug', points: 2000, minTier: 'gold', affordable: false },
      { id: 'mooncake', points: 800, validFrom: '2026-09-01T00:00:00Z', validTo: '2026-10-01T00:00:00Z', affordable: false },
    ]);
  });

  it('keeps the fields the catalog carries beyond the rules', () => {
    const state = given(earned('lot-1', 600, LATER));
    expect(eligibleRewards(state, [{ id: 'tea', points: 500, name: 'Jasmine tea', stock: 3 }], TIER_ORDER, T0)).toEqual([
      { id: 'tea', points: 500, name: 'Jasmine tea', stock: 3, affordable: true },
    ]);
  });
});
