import { MemberState, evolveMember } from '@tally/member-ledger';
import { RedeemCommand, RedeemRefusal, RedeemResult, decideRedeem } from '../redeem/redeem.decider';
import { RedeemRules } from '../redemption.rules';
import { decideRelease } from '../release/release.decider';
import { RedemptionDecision, Refusal, refuse } from '../shared/decision';
import { TransferCommand, TransferRefusal, TransferResult, decideTransfer } from '../transfer/transfer.decider';
import { TransferRules } from '../transfer/transfer.rules';

/** Details: `holdId`. */
export type ChallengeExpired = Refusal<'CHALLENGE_EXPIRED'>;

/**
 * Decides a request confirmed by its one-time code: the hold its challenge placed is released and
 * the request decided on the state that leaves, in one decision, so the held points are the ones
 * spent. A hold that is gone (released when the challenge expired) means the challenge is over.
 */
const afterRelease = <R, C extends string>(
  state: MemberState,
  holdId: string,
  occurredAt: string,
  decide: (released: MemberState) => RedemptionDecision<R, C>,
): RedemptionDecision<R, C | ChallengeExpired['code']> => {
  const release = decideRelease(state, { holdId, occurredAt, reason: 'released' });
  if (release.kind !== 'append') return refuse(state.memberId, 'CHALLENGE_EXPIRED', `the challenge's hold ${holdId} is no longer open`, { holdId });
  const released = release.events.reduce((s, event, i) => evolveMember(s, event, state.version + i + 1), state);
  const decision = decide(released);
  return decision.kind === 'append' ? { ...decision, events: [...release.events, ...decision.events] } : decision;
};

export const decideConfirmedTransfer = (
  sender: MemberState,
  recipient: MemberState,
  holdId: string,
  command: TransferCommand,
  rules: TransferRules,
): RedemptionDecision<TransferResult, TransferRefusal['code'] | ChallengeExpired['code']> =>
  afterRelease(sender, holdId, command.occurredAt, (released) => decideTransfer(released, recipient, command, rules));

export const decideConfirmedRedemption = (
  state: MemberState,
  holdId: string,
  command: RedeemCommand,
  rules: RedeemRules,
): RedemptionDecision<RedeemResult, RedeemRefusal['code'] | ChallengeExpired['code']> =>
  afterRelease(state, holdId, command.occurredAt, (released) => decideRedeem(released, command, rules));
