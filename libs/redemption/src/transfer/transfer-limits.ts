import { TransferRefusalCode } from '@tally/contracts';
import { MemberState, transfersOn } from '@tally/member-ledger';
import { tierOrderOf } from '../redemption.rules';
import { Refusal, refuse } from '../shared/decision';
import { TransferRules } from './transfer.rules';

/** Details: `limit`, `used` (a count's limit). */
export type LimitRefusal = Refusal<TransferRefusalCode>;

/** A limit `points` would take `used` beyond; undefined when there is no such limit or it holds. */
const beyond = (memberId: string, code: TransferRefusalCode, limit: number | undefined, used: number, points: number): LimitRefusal | undefined =>
  limit !== undefined && used + points > limit
    ? refuse(memberId, code, `${points} more points would exceed the limit of ${limit} (${used} used)`, { limit, used })
    : undefined;

const tierTooLow = (sender: MemberState, rules: TransferRules): LimitRefusal | undefined => {
  const { minSenderTier } = rules.transfers;
  if (minSenderTier === undefined) return undefined;
  const order = tierOrderOf(rules);
  if (order.indexOf(sender.tier) >= order.indexOf(minSenderTier)) return undefined;
  return refuse(sender.memberId, 'SENDER_TIER_TOO_LOW', `tier ${sender.tier} may not send points (from ${minSenderTier})`);
};

/** The first program limit the transfer breaks, judged on both members' counts of `day` and its month. */
export const firstBrokenLimit = (sender: MemberState, recipient: MemberState, points: number, day: string, rules: TransferRules): LimitRefusal | undefined => {
  const limits = rules.transfers;
  const sent = transfersOn(sender.transfers, day);
  const received = transfersOn(recipient.transfers, day);
  const newRecipient = !sent.month.recipients.includes(recipient.memberId);
  const recipients =
    newRecipient && limits.maxRecipientsPerMonth !== undefined && sent.month.recipients.length >= limits.maxRecipientsPerMonth
      ? refuse(
          sender.memberId,
          'TOO_MANY_RECIPIENTS',
          `already ${sent.month.recipients.length} recipients this month (at most ${limits.maxRecipientsPerMonth})`,
          {
            limit: limits.maxRecipientsPerMonth,
            used: sent.month.recipients.length,
          },
        )
      : undefined;
  return (
    tierTooLow(sender, rules) ??
    beyond(sender.memberId, 'TRANSFER_TOO_LARGE', limits.maxPointsPerTransfer, 0, points) ??
    beyond(sender.memberId, 'DAILY_SEND_LIMIT', limits.maxSentPerDay, sent.day.sent, points) ??
    beyond(sender.memberId, 'MONTHLY_SEND_LIMIT', limits.maxSentPerMonth, sent.month.sent, points) ??
    recipients ??
    beyond(sender.memberId, 'DAILY_RECEIVE_LIMIT', limits.maxReceivedPerDay, received.day.received, points) ??
    beyond(sender.memberId, 'MONTHLY_RECEIVE_LIMIT', limits.maxReceivedPerMonth, received.month.received, points)
  );
};
