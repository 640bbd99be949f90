import { LotPortion, mapAnswer } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { RedemptionDecision, TransferCommand, TransferResult as TransferMade } from '@tally/redemption';
import { IdempotentRequest } from '../shared/idempotent-ledger';
import { TransferRequest, TransferResult } from './transfer.dto';

/** Idempotency scopes (`causations.scope`) of transfers and their reversals (a step-up challenge's is `transfer-challenge`). */
export const TRANSFER_SCOPE = 'transfer';
export const TRANSFER_REVERSE_SCOPE = 'transfer-reverse';

/** What a transfer stores as its result: the reply plus the portions a reversal needs (not sent to the client). */
export type StoredTransfer = TransferResult & { fromLots: LotPortion[]; toLots: LotPortion[] };

export const transferReplyBody = ({ fromLots: _from, toLots: _to, ...body }: StoredTransfer): TransferResult => body;

/**
 * A transfer as an idempotent request over both members, keyed by its transfer id: made directly,
 * or confirmed by its code (`decide` tells which), the key and fingerprint are the same.
 */
export const transferRequestOf = (
  request: TransferRequest,
  occurredAt: string,
  day: string,
  decide: (sender: MemberState, recipient: MemberState, command: TransferCommand) => RedemptionDecision<TransferMade>,
): IdempotentRequest<StoredTransfer> => {
  const { transferId, fromMemberId, toMemberId, points, note } = request;
  return {
    scope: TRANSFER_SCOPE,
    key: transferId,
    memberId: fromMemberId,
    otherMemberIds: [toMemberId],
    input: { ...request },
    occurredAt,
    decide: (sender, states) =>
      mapAnswer(decide(sender, states[toMemberId], { transferId, points, note, occurredAt, day }), (made) => ({
        transferId,
        fromMemberId,
        toMemberId,
        points,
        lots: made.toLots.map(({ expiresAt, points: p }) => ({ expiresAt, points: p })),
        fromLots: made.fromLots,
        toLots: made.toLots,
      })),
  };
};
