import { DEFAULT_PROGRAM } from './default-program';
import { lowestTier, tierByName, tierForQualifyingPoints, tierRank } from './tiers.lookup';

describe('tiers', () => {
  it('finds a tier by name', () => {
    expect(tierByName(DEFAULT_PROGRAM, 'gold')).toEqual({ name: 'gold', threshold: 5_000, multiplier: 1.5 });
    expect(tierByName(DEFAULT_PROGRAM, 'platinum')).toBeUndefined();
  });

  it('ranks tiers from the lowest', () => {
    expect(['member', 'silver', 'gold', 'diamond', 'platinum'].map((name) => tierRank(DEFAULT_PROGRAM, name))).toEqual([0, 1, 2, 3, -1]);
    expect(lowestTier(DEFAULT_PROGRAM).name).toBe('member');
  });

  it.each([
    [0, 'member'],
    [999, 'member'],
    [1_000, 'silver'],
    [4_999, 'silver'],
    [5_000, 'gold'],
    [20_000, 'diamond'],
    [1_000_000, 'diamond'],
    [-50, 'member'],
  ])('%d qualifying points reach %s', (points, name) => {
    expect(tierForQualifyingPoints(DEFAULT_PROGRAM, points).name).toBe(name);
  });
});
