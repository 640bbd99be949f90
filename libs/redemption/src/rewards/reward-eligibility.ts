import { TierName } from '@tally/contracts';
import { RewardRule } from '../redemption.rules';
import { Refusal, refuse } from '../shared/decision';
import { isAtOrBefore, isBefore } from '../shared/time';

export type RewardRefusal =
  | (Refusal<'REWARD_NOT_AVAILABLE'> & { rewardId: string; availableFrom?: string; availableUntil?: string })
  | (Refusal<'TIER_TOO_LOW'> & { rewardId: string; tier: TierName; requiredTier: TierName });

/** A tier not in the order ranks below every tier: it never satisfies a tier requirement. */
const rankOf = (tierOrder: readonly TierName[], tier: TierName): number => tierOrder.indexOf(tier);

export const isInsideWindow = (reward: RewardRule, at: string): boolean =>
  (reward.availableFrom === undefined || isAtOrBefore(reward.availableFrom, at)) &&
  (reward.availableUntil === undefined || isBefore(at, reward.availableUntil));

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
    return refuse('REWARD_NOT_AVAILABLE', `reward ${reward.rewardId} is not available at ${at}`, {
      rewardId: reward.rewardId,
      ...(reward.availableFrom !== undefined ? { availableFrom: reward.availableFrom } : {}),
      ...(reward.availableUntil !== undefined ? { availableUntil: reward.availableUntil } : {}),
    });
  }
  if (!meetsTier(reward, tier, tierOrder)) {
    const requiredTier = reward.minTier as TierName;
    return refuse('TIER_TOO_LOW', `reward ${reward.rewardId} needs tier ${requiredTier}, member is ${tier}`, {
      rewardId: reward.rewardId,
      tier,
      requiredTier,
    });
  }
  return { ok: true };
};
