import { LotPortion, appendEvents } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { RedemptionDecision, Refusal, isRefusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';
import { isPositiveWholeNumber } from '../shared/points';
import { SpendRefusal, invalidPoints, spendAvailable } from '../shared/spending';
import { LimitRefusal, firstBrokenLimit } from './transfer-limits';
import { TransferRules } from './transfer.rules';

export interface TransferCommand {
  transferId: string;
  points: number;
  note?: string;
  occurredAt: string;
  /** The business day of `occurredAt` in the program's zone: the limits count by it. */
  day: string;
}

export interface TransferResult {
  transferId: string;
  points: number;
  /** The sender's portions, soonest-expiring first. */
  fromLots: LotPortion[];
  /** The recipient's new lots, one per portion, each with its portion's expiry. */
  toLots: LotPortion[];
  /** The sender's `available` once the transfer is applied. */
  available: number;
}

export type TransferRefusal = Refusal<'TRANSFERS_DISABLED'> | Refusal<'SELF_TRANSFER'> | Refusal<'INVALID_POINTS'> | LimitRefusal | SpendRefusal;

export type TransferDecision = RedemptionDecision<TransferResult, TransferRefusal['code']>;

/** The recipient's lot for the `index`-th portion: minted from the transfer id, unique as it is. */
export const receivedLotId = (transferId: string, index: number): string => `transfer:${transferId}:${index}`;

/**
 * Moves points from one member to another in one decision over both: the sender spends available
 * points only (never pending or held ones), soonest-expiring first, and the recipient gets a lot per
 * portion that keeps its expiry. A transfer id is decided once (the service's idempotency).
 */
export const decideTransfer = (sender: MemberState, recipient: MemberState, command: TransferCommand, rules: TransferRules): TransferDecision => {
  const { transferId, points, day, occurredAt } = command;
  const { memberId } = sender;
  if (!rules.transfers.enabled) return refuse(memberId, 'TRANSFERS_DISABLED', 'the program does not allow transfers');
  if (sender.memberId === recipient.memberId) return refuse(memberId, 'SELF_TRANSFER', 'a member cannot transfer points to themselves');
  if (!isPositiveWholeNumber(points)) return invalidPoints(memberId, points);
  const broken = firstBrokenLimit(sender, recipient, points, day, rules);
  if (broken) return broken;
  const spending = spendAvailable(sender, points);
  if (isRefusal(spending)) return spending;

  const { fromLots } = spending;
  const toLots = fromLots.map((portion, index) => ({ lotId: receivedLotId(transferId, index), points: portion.points, expiresAt: portion.expiresAt }));
  const note = command.note === undefined ? {} : { note: command.note };
  const events = [
    ledgerEvent('points.transferred', sender.memberId, occurredAt, { transferId, points, toMemberId: recipient.memberId, fromLots, day, ...note }),
    ledgerEvent('points.received', recipient.memberId, occurredAt, { transferId, points, fromMemberId: sender.memberId, toLots, day, ...note }),
  ];
  return appendEvents(events, { transferId, points, fromLots, toLots, available: spending.available - points });
};
