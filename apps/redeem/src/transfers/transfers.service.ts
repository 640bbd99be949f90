import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { LotPortion } from '@tally/contracts';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { Program, businessDay } from '@tally/program';
import { TransferRecord, decideReverseTransfer, decideTransfer } from '@tally/redemption';
import { PROGRAM } from '@tally/service-kit';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup } from '../shared/member-lookup.query';
import { ReverseTransferResult, TransferRequest, TransferResult } from './transfer.dto';

/** Idempotency scopes (`causations.scope`) of transfers and their reversals. */
export const TRANSFER_SCOPE = 'transfer';
export const TRANSFER_REVERSE_SCOPE = 'transfer-reverse';

/** What a transfer stores as its result: the reply plus the portions a reversal needs (not sent to the client). */
type StoredTransfer = TransferResult & { fromLots: LotPortion[]; toLots: LotPortion[] };

const replyBody = ({ fromLots: _from, toLots: _to, ...body }: StoredTransfer): TransferResult => body;

@Injectable()
export class TransfersService {
  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  /** One append over both members, decided on both heads: all of it or nothing, never an overspend. */
  async transfer(request: TransferRequest): Promise<Reply<TransferResult>> {
    const { transferId, fromMemberId, toMemberId, points, note } = request;
    const occurredAt = this.clock().toISOString();
    const day = businessDay(this.program, occurredAt);
    const reply = await this.ledger.execute<StoredTransfer>({
      scope: TRANSFER_SCOPE,
      key: transferId,
      memberId: fromMemberId,
      otherMemberIds: [toMemberId],
      input: { ...request },
      occurredAt,
      decide: (sender, states) => {
        const decision = decideTransfer(sender, states[toMemberId], { transferId, points, note, occurredAt, day }, this.program);
        if (!decision.ok) return { kind: 'refuse', refusal: decision };
        const lots = decision.toLots.map(({ expiresAt, points: p }) => ({ expiresAt, points: p }));
        const body = { transferId, fromMemberId, toMemberId, points, lots, fromLots: decision.fromLots, toLots: decision.toLots };
        return { kind: 'append', events: decision.events, body };
      },
    });
    return { replayed: reply.replayed, body: replyBody(reply.body) };
  }

  /** 404 unless the transfer was made (a refused one was not). */
  async find(transferId: string): Promise<StoredTransfer> {
    const stored = await this.lookup.appendedReply<StoredTransfer>(TRANSFER_SCOPE, transferId);
    if (!stored) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'transfer_not_found', message: `no transfer ${transferId}`, transferId });
    return stored.body;
  }

  /** Once per transfer: a second reversal of the same id is an idempotent replay. */
  async reverse(transfer: StoredTransfer, actor: string, note?: string): Promise<Reply<ReverseTransferResult>> {
    const { transferId, fromMemberId, toMemberId } = transfer;
    const record: TransferRecord = { transferId, points: transfer.points, fromLots: transfer.fromLots, toLots: transfer.toLots };
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<ReverseTransferResult>({
      scope: TRANSFER_REVERSE_SCOPE,
      key: transferId,
      memberId: fromMemberId,
      otherMemberIds: [toMemberId],
      input: { transferId, ...(note === undefined ? {} : { note }) },
      occurredAt,
      decide: (sender, states) => {
        const decision = decideReverseTransfer(sender, states[toMemberId], record, { actor, note, occurredAt });
        return { kind: 'append', events: decision.events, body: { transferId, fromMemberId, toMemberId, points: decision.points, debt: decision.debt, actor } };
      },
    });
  }
}
