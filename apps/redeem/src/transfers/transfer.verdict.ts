import { LotPortion } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { TransferCommand, TransferDecision } from '@tally/redemption';
import { IdempotentRequest, Verdict } from '../shared/idempotent-ledger';
import { LibRefusal } from '../shared/refusal.mapping';
import { TransferRequest, TransferResult } from './transfer.dto';

/** Idempotency scopes (`causations.scope`) of transfers and their reversals (a step-up challenge's is `transfer-challenge`). */
export const TRANSFER_SCOPE = 'transfer';
export const TRANSFER_REVERSE_SCOPE = 'transfer-reverse';

/** What a transfer stores as its result: the reply plus the portions a reversal needs (not sent to the client). */
export type StoredTransfer = TransferResult & { fromLots: LotPortion[]; toLots: LotPortion[] };

export const transferReplyBody = ({ fromLots: _from, toLots: _to, ...body }: StoredTransfer): TransferResult => body;

/** A transfer decision as the ledger command's verdict (a direct transfer, or one confirmed by its code). */
export const transferVerdict = (decision: TransferDecision | LibRefusal, request: TransferRequest): Verdict<StoredTransfer> => {
  if (!decision.ok) return { kind: 'refuse', refusal: decision };
  const { transferId, fromMemberId, toMemberId, points } = request;
  const d = decision as Extract<TransferDecision, { ok: true }>;
  const lots = d.toLots.map(({ expiresAt, points: p }) => ({ expiresAt, points: p }));
  return { kind: 'append', events: d.events, body: { transferId, fromMemberId, toMemberId, points, lots, fromLots: d.fromLots, toLots: d.toLots } };
};

/**
 * A transfer as an idempotent request over both members, keyed by its transfer id: made directly,
 * or confirmed by its code (`decide` tells which), the key and fingerprint are the same.
 */
export const transferRequestOf = (
  request: TransferRequest,
  occurredAt: string,
  day: string,
  decide: (sender: MemberState, recipient: MemberState, command: TransferCommand) => TransferDecision | LibRefusal,
): IdempotentRequest<StoredTransfer> => {
  const { transferId, fromMemberId, toMemberId, points, note } = request;
  return {
    scope: TRANSFER_SCOPE,
    key: transferId,
    memberId: fromMemberId,
    otherMemberIds: [toMemberId],
    input: { ...request },
    occurredAt,
    decide: (sender, states) => transferVerdict(decide(sender, states[toMemberId], { transferId, points, note, occurredAt, day }), request),
  };
};
