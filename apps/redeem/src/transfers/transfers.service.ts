import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { mapAnswer } from '@tally/contracts';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { Program, businessDay } from '@tally/program';
import { TransferRecord, decideConfirmedTransfer, decideReverseTransfer, decideTransfer, decideTransferChallenge } from '@tally/redemption';
import { PROGRAM } from '@tally/service-kit';
import { ChallengeResult } from '../challenges/challenge.dto';
import { ChallengeRow } from '../challenges/challenge.repository';
import { ChallengeCompletion, StepUp } from '../challenges/step-up.service';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup } from '../shared/member-lookup.query';
import { ReverseTransferResult, TransferRequest, TransferResult } from './transfer.dto';
import { StoredTransfer, TRANSFER_REVERSE_SCOPE, TRANSFER_SCOPE, transferReplyBody, transferRequestOf } from './transfer.request';

/** A transfer's answer: done (201, or 200 on a retry), or waiting for its one-time code (202). */
export type TransferOutcome = ({ kind: 'done' } & Reply<TransferResult>) | { kind: 'challenge'; body: ChallengeResult };

@Injectable()
export class TransfersService {
  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    private readonly stepUp: StepUp,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  /**
   * One append over both members, decided on both heads: all of it or nothing, never an overspend.
   * At or above the program's step-up threshold a transfer not yet made waits for its code instead.
   */
  async transfer(request: TransferRequest): Promise<TransferOutcome> {
    const occurredAt = this.clock().toISOString();
    const day = businessDay(this.program, occurredAt);
    const threshold = this.program.stepUp.transferThreshold;
    if (threshold !== undefined && request.points >= threshold && !(await this.lookup.appendedReply(TRANSFER_SCOPE, request.transferId))) {
      return { kind: 'challenge', body: await this.challenge(request, occurredAt, day) };
    }
    const reply = await this.ledger.execute(
      transferRequestOf(request, occurredAt, day, (sender, recipient, command) => decideTransfer(sender, recipient, command, this.program)),
    );
    return { kind: 'done', replayed: reply.replayed, body: transferReplyBody(reply.body) };
  }

  private challenge(request: TransferRequest, occurredAt: string, day: string) {
    const { transferId, fromMemberId, toMemberId, points, note } = request;
    return this.stepUp.begin({
      purpose: 'transfer',
      requestId: transferId,
      memberId: fromMemberId,
      otherMemberIds: [toMemberId],
      points,
      request: { ...request },
      occurredAt,
      decideHold: (sender, states, holdId, ttlSeconds) =>
        decideTransferChallenge(sender, states[toMemberId], { transferId, points, note, occurredAt, day, holdId, ttlSeconds }, this.program),
    });
  }

  /** How a confirmed transfer challenge is made: from the held points, in one command over both members. */
  readonly completion: ChallengeCompletion<TransferResult> = {
    complete: async (challenge: ChallengeRow) => {
      const request = challenge.request as unknown as TransferRequest;
      const occurredAt = this.clock().toISOString();
      const reply = await this.ledger.execute(
        transferRequestOf(request, occurredAt, businessDay(this.program, occurredAt), (sender, recipient, command) =>
          decideConfirmedTransfer(sender, recipient, challenge.holdId, command, this.program),
        ),
      );
      return { replayed: reply.replayed, body: transferReplyBody(reply.body) };
    },
    made: async (challenge: ChallengeRow) => {
      const done = await this.lookup.appendedReply<StoredTransfer>(TRANSFER_SCOPE, challenge.requestId);
      return done && transferReplyBody(done.body);
    },
  };

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
      decide: (sender, states) =>
        mapAnswer(decideReverseTransfer(sender, states[toMemberId], record, { actor, note, occurredAt }), (reversed) => ({
          transferId,
          fromMemberId,
          toMemberId,
          points: reversed.points,
          debt: reversed.debt,
          actor,
        })),
    });
  }
}
