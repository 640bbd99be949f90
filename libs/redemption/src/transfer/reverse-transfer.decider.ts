import { Append, LotPortion, appendEvents } from '@tally/contracts';
import { MemberState, takeFromLots } from '@tally/member-ledger';
import { ledgerEvent } from '../shared/ledger-event';

/** A transfer as it was made: the state keeps no record of past transfers, so the caller brings it. */
export interface TransferRecord {
  transferId: string;
  points: number;
  fromLots: LotPortion[];
  toLots: LotPortion[];
}

export interface ReverseTransferCommand {
  actor: string;
  note?: string;
  occurredAt: string;
}

export interface ReverseTransferResult {
  transferId: string;
  points: number;
  /** Taken back from the recipient; `debt` is what no lot of theirs covered. */
  takenBack: LotPortion[];
  debt: number;
}

/** Never a refusal: a transfer that was made can always be reversed (the rest as debt). */
export type ReverseTransferDecision = Append<ReverseTransferResult>;

/**
 * What to take back from the recipient: first what is left of the lots the transfer gave, then
 * other available points soonest-expiring first; the rest becomes debt (as a clawback's does).
 */
const takeBack = (recipient: MemberState, record: TransferRecord): { portions: LotPortion[]; debt: number } => {
  const received = new Set(record.toLots.map((p) => p.lotId));
  const own = new Map([...recipient.lots].filter(([lotId]) => received.has(lotId)));
  const others = new Map([...recipient.lots].filter(([lotId]) => !received.has(lotId)));
  const first = takeFromLots(own, record.points);
  const rest = takeFromLots(others, first.shortfall);
  return { portions: [...first.portions, ...rest.portions], debt: rest.shortfall };
};

/**
 * An ops correction of a transfer: the sender's points go back into the lots they came from, with
 * their expiry (a lot expired since reopens due, and the next sweep takes it); the recipient's are
 * taken back. Once per transfer: the service keys the reversal's idempotency by the transfer id.
 */
export const decideReverseTransfer = (
  sender: MemberState,
  recipient: MemberState,
  record: TransferRecord,
  command: ReverseTransferCommand,
): ReverseTransferDecision => {
  const { transferId, points } = record;
  const { portions, debt } = takeBack(recipient, record);
  const common = { transferId, points, actor: command.actor, ...(command.note === undefined ? {} : { note: command.note }) };
  const events = [
    ledgerEvent('transfer.reversed', sender.memberId, command.occurredAt, { ...common, toLots: record.fromLots.map((p) => ({ ...p })) }),
    ledgerEvent('transfer.reversed', recipient.memberId, command.occurredAt, {
      ...common,
      fromLots: portions,
      ...(debt > 0 ? { debt } : {}),
    }),
  ];
  return appendEvents(events, { transferId, points, takenBack: portions, debt });
};
