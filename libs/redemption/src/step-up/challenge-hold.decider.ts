import { MemberState } from '@tally/member-ledger';
import { HoldDecision, decideHold } from '../hold/hold.decider';
import { RedeemCommand, RedeemRefusal, decideRedeem } from '../redeem/redeem.decider';
import { RedeemRules } from '../redemption.rules';
import { TransferCommand, TransferRefusal, decideTransfer } from '../transfer/transfer.decider';
import { TransferRules } from '../transfer/transfer.rules';

/** The hold a challenge places; its store is none of the stores', so no store token can touch it. */
export const CHALLENGE_HOLD_STORE = 'step-up';

export const challengeHoldId = (challengeId: string): string => `challenge:${challengeId}`;

/**
 * A transfer above the step-up threshold, before its code is confirmed: the rules judge it as they
 * would the transfer itself (limits, funds), and its points are held for the challenge's life.
 */
export const decideTransferChallenge = (
  sender: MemberState,
  recipient: MemberState,
  command: TransferCommand & { holdId: string; ttlSeconds: number },
  rules: TransferRules,
): HoldDecision | TransferRefusal => {
  const check = decideTransfer(sender, recipient, command, rules);
  if (!check.ok) return check;
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
): HoldDecision | RedeemRefusal => {
  const check = decideRedeem(state, command, rules);
  if (!check.ok) return check;
  return decideHold(state, { holdId: command.holdId, points: check.points, storeId: command.storeId, ttlSeconds: command.ttlSeconds, occurredAt: command.occurredAt });
};
