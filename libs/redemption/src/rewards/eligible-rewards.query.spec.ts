import { RULES, T0, earned, given, tierChanged } from '../testing/ledger.fixtures';
import { eligibleRewards } from './eligible-rewards.query';

const LATER = '2026-06-01T00:00:00.000Z';
const catalog = [...RULES.rewards, { rewardId: 'lounge', points: 100, minTier: 'retired-tier' }];

describe('eligibleRewards', () => {
  it('lists the rewards whose tier and window fit, saying which are affordable', () => {
    const state = given(earned('lot-1', 600, LATER));
    expect(eligibleRewards(state, catalog, RULES.tierOrder, T0)).toEqual([{ rewardId: 'tea', points: 500, affordable: true }]);
  });

  it('shows tier rewards to members of that tier, affordable or not', () => {
    const state = given(earned('lot-1', 600, LATER), tierChanged('member', 'gold'));
    expect(eligibleRewards(state, catalog, RULES.tierOrder, '2026-09-15T00:00:00Z')).toEqual([
      { rewardId: 'tea', points: 500, affordable: true },
      { rewardId: 'mug', points: 2000, minTier: 'gold', affordable: false },
      { rewardId: 'mooncake', points: 800, availableFrom: '2026-09-01T00:00:00Z', availableUntil: '2026-10-01T00:00:00Z', affordable: false },
    ]);
  });

  it('keeps the fields the catalog carries beyond the rules', () => {
    const state = given(earned('lot-1', 600, LATER));
    expect(eligibleRewards(state, [{ rewardId: 'tea', points: 500, title: 'Jasmine tea' }], RULES.tierOrder, T0)).toEqual([
      { rewardId: 'tea', points: 500, title: 'Jasmine tea', affordable: true },
    ]);
  });
});
