import { MemberState } from '@tally/member-ledger';
import { HoldRefusal, HoldResult, decideHold } from '../hold/hold.decider';
import { RedeemCommand, RedeemRefusal, decideRedeem } from '../redeem/redeem.decider';
import { RedemptionDecision } from '../shared/decision';
import { RedeemRules } from '../redemption.rules';
import { TransferCommand, TransferRefusal, decideTransfer } from '../transfer/transfer.decider';
import { TransferRules } from '../transfer/transfer.rules';

/** The hold a challenge places; its store is none of the stores', so no store token can touch it. */
export const CHALLENGE_HOLD_STORE = 'step-up';

export const challengeHoldId = (challengeId: string): string => `challenge:${challengeId}`;

/** A challenge's hold, or the refusal of the request it would make (judged first). */
export type ChallengeHoldDecision<C extends string> = RedemptionDecision<HoldResult, HoldRefusal['code'] | C>;

/**
 * A transfer above the step-up threshold, before its code is confirmed: the rules judge it as they
 * would the transfer itself (limits, funds), and its points are held for the challenge's life.
 */
export const decideTransferChallenge = (
  sender: MemberState,
  recipient: MemberState,
  command: TransferCommand & { holdId: string; ttlSeconds: number },
  rules: TransferRules,
): ChallengeHoldDecision<TransferRefusal['code']> => {
  const check = decideTransfer(sender, recipient, command, rules);
  if (check.kind !== 'append') return check;
  return decideHold(sender, {
    holdId: command.holdId,
    points: command.points,
    storeId: CHALLENGE_HOLD_STORE,
    ttlSeconds: command.ttlSeconds,
    occurredAt: command.occurredAt,
  });
};

/** A redemption above the step-up threshold, before its code: judged as the redemption itself, its price held. */
export const decideRedemptionChallenge = (
  state: MemberState,
  command: RedeemCommand & { holdId: string; ttlSeconds: number },
  rules: RedeemRules,
): ChallengeHoldDecision<RedeemRefusal['code']> => {
  const check = decideRedeem(state, command, rules);
  if (check.kind !== 'append') return check;
  return decideHold(state, {
    holdId: command.holdId,
    points: check.result.points,
    storeId: command.storeId,
    ttlSeconds: command.ttlSeconds,
    occurredAt: command.occurredAt,
  });
};
