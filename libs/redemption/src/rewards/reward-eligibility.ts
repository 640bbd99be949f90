import { TierName, isAtOrBefore, isBefore } from '@tally/contracts';
import { RewardRule } from '../redemption.rules';
import { Refusal, refuse } from '../shared/decision';

export type RewardRefusal =
  | (Refusal<'REWARD_NOT_AVAILABLE'> & { rewardId: string; validFrom?: string; validTo?: string })
  | (Refusal<'TIER_TOO_LOW'> & { rewardId: string; tier: TierName; requiredTier: TierName });

/** A tier not in the order ranks below every tier: it never satisfies a tier requirement. */
const rankOf = (tierOrder: readonly TierName[], tier: TierName): number => tierOrder.indexOf(tier);

export const isInsideWindow = (reward: RewardRule, at: string): boolean =>
  (reward.validFrom === undefined || isAtOrBefore(reward.validFrom, at)) && (reward.validTo === undefined || isBefore(at, reward.validTo));

export const meetsTier = (reward: RewardRule, tier: TierName, tierOrder: readonly TierName[]): boolean => {
  if (reward.minTier === undefined) return true;
  const required = rankOf(tierOrder, reward.minTier);
  return required >= 0 && rankOf(tierOrder, tier) >= required;
};

/**
 * May a member of `tier` redeem this reward at `at`? Points and stock are checked elsewhere:
 * points by the redeem decision, stock (global across members) by the service in the database.
 */
export const checkRewardEligibility = (
  reward: RewardRule,
  tier: TierName,
  tierOrder: readonly TierName[],
  at: string,
): { ok: true } | RewardRefusal => {
  if (!isInsideWindow(reward, at)) {
    return refuse('REWARD_NOT_AVAILABLE', `reward ${reward.id} is not available at ${at}`, {
      rewardId: reward.id,
      ...(reward.validFrom !== undefined ? { validFrom: reward.validFrom } : {}),
      ...(reward.validTo !== undefined ? { validTo: reward.validTo } : {}),
    });
  }
  if (!meetsTier(reward, tier, tierOrder)) {
    const requiredTier = reward.minTier as TierName;
    return refuse('TIER_TOO_LOW', `reward ${reward.id} needs tier ${requiredTier}, member is ${tier}`, {
      rewardId: reward.id,
      tier,
      requiredTier,
    });
  }
  return { ok: true };
};
