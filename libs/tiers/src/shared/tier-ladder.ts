import { TierName } from '@tally/contracts';
import { TierRule, TierRules } from '../tier.rules';

/** Not on the ladder: a tier the program does not (or no longer) define. */
export const OFF_LADDER = -1;

/** The tiers from lowest to highest threshold. */
export const tierLadder = (rules: TierRules): TierRule[] => [...rules.tiers].sort((a, b) => a.threshold - b.threshold);

export const tierOrderOf = (rules: TierRules): TierName[] => tierLadder(rules).map((tier) => tier.name);

export const rankOf = (ladder: readonly TierRule[], tier: TierName | undefined): number =>
  tier === undefined ? OFF_LADDER : ladder.findIndex((rule) => rule.name === tier);

/** The rank of the highest tier whose threshold the points reach; the lowest tier when none does. */
export const earnedRank = (ladder: readonly TierRule[], qualifyingPoints: number): number => {
  let rank = 0;
  ladder.forEach((rule, index) => {
    if (qualifyingPoints >= rule.threshold) rank = index;
  });
  return rank;
};

export const earnedTier = (rules: TierRules, qualifyingPoints: number): TierName => {
  const ladder = tierLadder(rules);
  return (ladder[earnedRank(ladder, qualifyingPoints)] as TierRule).name;
};
