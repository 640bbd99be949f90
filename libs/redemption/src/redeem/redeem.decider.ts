import { LotPortion, appendEvents } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { RedeemRules, RewardRule, tierOrderOf } from '../redemption.rules';
import { RewardRefusal, checkRewardEligibility } from '../rewards/reward-eligibility';
import { RedemptionDecision, Refusal, isRefusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';
import { isPositiveWholeNumber } from '../shared/points';
import { SpendRefusal, invalidPoints, spendAvailable } from '../shared/spending';
import { valueMinorOf } from './redemption-value';

export interface RedeemCommand {
  redemptionId: string;
  /** Required for a cash deduction; for a reward it defaults to the reward's price and must equal it when given. */
  points?: number;
  storeId: string;
  rewardId?: string;
  occurredAt: string;
}

export interface RedeemResult {
  redemptionId: string;
  points: number;
  fromLots: LotPortion[];
  valueMinor: number;
  currency: string;
  /** `available` once the redemption is applied. */
  available: number;
}

/** Details: `rewardId` (not found); `rewardId`, `price`, `points` (price mismatch). */
export type RedeemRefusal = Refusal<'INVALID_POINTS'> | Refusal<'REWARD_NOT_FOUND'> | RewardRefusal | Refusal<'REWARD_PRICE_MISMATCH'> | SpendRefusal;

export type RedeemDecision = RedemptionDecision<RedeemResult, RedeemRefusal['code']>;

type PriceRefusal = Exclude<RedeemRefusal, Refusal<'INVALID_POINTS'> | SpendRefusal>;

/** The points a command costs: its own for a cash deduction, the reward's price for a reward. */
const priceOf = (state: MemberState, command: RedeemCommand, rules: RedeemRules): { points: unknown } | PriceRefusal => {
  const { memberId } = state;
  if (command.rewardId === undefined) return { points: command.points };
  const reward: RewardRule | undefined = rules.rewards.find((r) => r.id === command.rewardId);
  if (!reward) return refuse(memberId, 'REWARD_NOT_FOUND', `no reward ${command.rewardId}`, { rewardId: command.rewardId });
  const ineligible = checkRewardEligibility(memberId, reward, state.tier, tierOrderOf(rules), command.occurredAt);
  if (ineligible) return ineligible;
  if (command.points !== undefined && command.points !== reward.points) {
    return refuse(memberId, 'REWARD_PRICE_MISMATCH', `reward ${reward.id} costs ${reward.points} points, not ${command.points}`, {
      rewardId: reward.id,
      price: reward.points,
      points: command.points,
    });
  }
  return { points: reward.points };
};

/**
 * Spends points (a cash deduction or a catalog reward), soonest-expiring lots first. A redemption id
 * is used once: the caller decides each id at most once (idempotency by causation), the state keeps
 * no record of past redemptions.
 */
export const decideRedeem = (state: MemberState, command: RedeemCommand, rules: RedeemRules): RedeemDecision => {
  const price = priceOf(state, command, rules);
  if (isRefusal(price)) return price;
  const points = price.points;
  if (!isPositiveWholeNumber(points)) return invalidPoints(state.memberId, points);
  const spending = spendAvailable(state, points);
  if (isRefusal(spending)) return spending;

  const valueMinor = valueMinorOf(points, rules.redemption);
  const { currency } = rules.redemption;
  const event = ledgerEvent('points.redeemed', state.memberId, command.occurredAt, {
    points,
    redemptionId: command.redemptionId,
    storeId: command.storeId,
    ...(command.rewardId !== undefined ? { rewardId: command.rewardId } : {}),
    fromLots: spending.fromLots,
    valueMinor,
    currency,
  });
  return appendEvents([event], {
    redemptionId: command.redemptionId,
    points,
    fromLots: spending.fromLots,
    valueMinor,
    currency,
    available: spending.available - points,
  });
};
