import { TierName } from '@tally/contracts';
import { MemberState, balanceOf } from '@tally/member-ledger';
import { RewardRule } from '../redemption.rules';
import { isInsideWindow, meetsTier } from './reward-eligibility';

export type EligibleReward<R extends RewardRule = RewardRule> = R & { affordable: boolean };

/** The rewards a member can see at `asOf` (tier and window fit), each saying whether it is affordable now. */
export const eligibleRewards = <R extends RewardRule>(
  state: MemberState,
  rewards: readonly R[],
  tierOrder: readonly TierName[],
  asOf: string,
): EligibleReward<R>[] => {
  const { available } = balanceOf(state);
  return rewards
    .filter((reward) => isInsideWindow(reward, asOf) && meetsTier(reward, state.tier, tierOrder))
    .map((reward) => ({ ...reward, affordable: available >= reward.points }));
};
