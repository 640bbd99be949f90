import { MemberState, evolveMember } from '@tally/member-ledger';
import { decideRelease } from '../release/release.decider';
import { Refusal, refuse } from '../shared/decision';
import { TransferCommand, TransferDecision, decideTransfer } from '../transfer/transfer.decider';
import { TransferRules } from '../transfer/transfer.rules';

export type ConfirmedTransferDecision = TransferDecision | (Refusal<'CHALLENGE_EXPIRED'> & { holdId: string });

/**
 * A transfer confirmed by its one-time code: the hold its challenge placed is released and the
 * transfer decided on the state that leaves, in one decision, so the held points are the ones that
 * move. A hold that is gone (released when the challenge expired) means the challenge is over.
 */
export const decideConfirmedTransfer = (
  sender: MemberState,
  recipient: MemberState,
  holdId: string,
  command: TransferCommand,
  rules: TransferRules,
): ConfirmedTransferDecision => {
  const release = decideRelease(sender, { holdId, occurredAt: command.occurredAt, reason: 'released' });
  if (!release.ok) return refuse('CHALLENGE_EXPIRED', `the challenge's hold ${holdId} is no longer open`, { holdId });
  const released = release.events.reduce((state, event, i) => evolveMember(state, event, sender.version + i + 1), sender);
  const transfer = decideTransfer(released, recipient, command, rules);
  if (!transfer.ok) return transfer;
  return { ...transfer, events: [...release.events, ...transfer.events] };
};
