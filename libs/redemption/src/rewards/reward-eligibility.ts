import { TierName, isAtOrBefore, isBefore } from '@tally/contracts';
import { RewardRule } from '../redemption.rules';
import { Refusal, refuse } from '../shared/decision';

/** Details: `rewardId`, `validFrom`?, `validTo`? (not available); `rewardId`, `tier`, `requiredTier` (tier too low). */
export type RewardRefusal = Refusal<'REWARD_NOT_AVAILABLE'> | Refusal<'TIER_TOO_LOW'>;

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
 * Undefined when the member may.
 */
export const checkRewardEligibility = (
  memberId: string,
  reward: RewardRule,
  tier: TierName,
  tierOrder: readonly TierName[],
  at: string,
): RewardRefusal | undefined => {
  if (!isInsideWindow(reward, at)) {
    return refuse(memberId, 'REWARD_NOT_AVAILABLE', `reward ${reward.id} is not available at ${at}`, {
      rewardId: reward.id,
      ...(reward.validFrom !== undefined ? { validFrom: reward.validFrom } : {}),
      ...(reward.validTo !== undefined ? { validTo: reward.validTo } : {}),
    });
  }
  if (!meetsTier(reward, tier, tierOrder)) {
    const requiredTier = reward.minTier as TierName;
    return refuse(memberId, 'TIER_TOO_LOW', `reward ${reward.id} needs tier ${requiredTier}, member is ${tier}`, {
      rewardId: reward.id,
      tier,
      requiredTier,
    });
  }
  return undefined;
};
