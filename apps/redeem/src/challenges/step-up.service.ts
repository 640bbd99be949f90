import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { LEDGER_CLOCK } from '@tally/ledger';
import { TypedProducer } from '@tally/messaging';
import { AppError, Metrics } from '@tally/platform';
import { Program, businessDay } from '@tally/program';
import { challengeHoldId, decideConfirmedTransfer, decideRelease, decideTransferChallenge, judgeAttempt } from '@tally/redemption';
import { PROGRAM } from '@tally/service-kit';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup } from '../shared/member-lookup.query';
import { LibRefusal, errorBodyOfRefusal, statusOfRefusal } from '../shared/refusal.mapping';
import { TransferRequest, TransferResult } from '../transfers/transfer.dto';
import { StoredTransfer, TRANSFER_CHALLENGE_SCOPE, TRANSFER_SCOPE, transferReplyBody, transferRequestOf } from '../transfers/transfer.verdict';
import { ChallengeRepository, ChallengeRow, codeMatches, hashCode, newCode } from './challenge.repository';
import { ChallengeResult } from './challenge.dto';

const CHALLENGE_RELEASE_SCOPE = 'challenge-release';

type StoredChallenge = ChallengeResult & { holdId: string };

const refusalError = <R extends LibRefusal>(refusal: R): AppError => new AppError({ status: statusOfRefusal(refusal.code), ...errorBodyOfRefusal(refusal) });

/**
 * Step-up verification of transfers: the points are held while a one-time code goes to the member
 * (on `loyalty.notifications.v1`, for the SMS sender outside Tally; Tally keeps only its hash), and
 * the right code turns the hold into the transfer. Wrong codes are limited; an expired challenge's
 * hold is released by the hold-expiry job like any hold whose ttl ended.
 */
@Injectable()
export class StepUp {
  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    private readonly challenges: ChallengeRepository,
    private readonly producer: TypedProducer,
    private readonly metrics: Metrics,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  /** Holds the points and sends a code, once per transfer id: a retry gets the same challenge. */
  async begin(request: TransferRequest, occurredAt: string, day: string): Promise<ChallengeResult> {
    const { transferId, fromMemberId, toMemberId, points, note } = request;
    const challengeId = randomUUID();
    const ttlSeconds = this.program.stepUp.codeTtlSeconds;
    const reply = await this.ledger.execute<StoredChallenge>({
      scope: TRANSFER_CHALLENGE_SCOPE,
      key: transferId,
      memberId: fromMemberId,
      otherMemberIds: [toMemberId],
      input: { ...request },
      occurredAt,
      decide: (sender, states) => {
        const command = { transferId, points, note, occurredAt, day, challengeId, ttlSeconds };
        const decision = decideTransferChallenge(sender, states[toMemberId], command, this.program);
        if (!decision.ok) return { kind: 'refuse', refusal: decision };
        return { kind: 'append', events: decision.events, body: { challengeId, expiresAt: (decision as { expiresAt: string }).expiresAt, holdId: challengeHoldId(challengeId) } };
      },
    });
    const stored = reply.body;
    if (!(await this.challenges.find(stored.challengeId))) await this.sendCode(stored, request);
    return { challengeId: stored.challengeId, expiresAt: stored.expiresAt };
  }

  /** The code goes out before the challenge is stored: a failed send leaves no challenge, and a retry sends a new code. */
  private async sendCode(stored: StoredChallenge, request: TransferRequest): Promise<void> {
    const code = newCode();
    const { challengeId, expiresAt, holdId } = stored;
    await this.producer.send(Topics.notifications, [
      { key: request.fromMemberId, value: { type: 'challenge.code', memberId: request.fromMemberId, challengeId, purpose: 'transfer', points: request.points, code, expiresAt } },
    ]);
    await this.challenges.create({
      challengeId,
      purpose: 'transfer',
      requestId: request.transferId,
      memberId: request.fromMemberId,
      request: { ...request },
      holdId,
      codeHash: hashCode(challengeId, code),
      expiresAt,
    });
    this.count('sent');
  }

  /** The right code completes the transfer (201; 200 on a retry); a wrong one counts against the limit. */
  async confirm(challengeId: string, code: string): Promise<Reply<TransferResult>> {
    const challenge = await this.challenges.find(challengeId);
    if (!challenge) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'challenge_not_found', message: `no challenge ${challengeId}`, challengeId });
    const matches = codeMatches(challenge, code);
    if (challenge.state === 'confirmed' && matches) return this.replayConfirmed(challenge);
    const { maxAttempts } = this.program.stepUp;
    const judged = judgeAttempt(challenge, matches, this.clock().toISOString(), maxAttempts);
    if (!judged.ok && (judged.code === 'WRONG_CODE' || judged.code === 'TOO_MANY_ATTEMPTS')) return this.wrongCode(challenge);
    if (!judged.ok) throw refusalError(judged);
    if (!(await this.challenges.confirm(challengeId, maxAttempts))) throw refusalError({ ok: false, code: 'CHALLENGE_CLOSED', message: 'the challenge is closed' });
    this.count('confirmed');
    try {
      return await this.completeTransfer(challenge);
    } catch (error) {
      await this.challenges.fail(challengeId);
      throw error;
    }
  }

  private async completeTransfer(challenge: ChallengeRow): Promise<Reply<TransferResult>> {
    const request = challenge.request as unknown as TransferRequest;
    const occurredAt = this.clock().toISOString();
    const reply = await this.ledger.execute(
      transferRequestOf(request, occurredAt, businessDay(this.program, occurredAt), (sender, recipient, command) =>
        decideConfirmedTransfer(sender, recipient, challenge.holdId, command, this.program),
      ),
    );
    return { replayed: reply.replayed, body: transferReplyBody(reply.body) };
  }

  private async replayConfirmed(challenge: ChallengeRow): Promise<Reply<TransferResult>> {
    const done = await this.lookup.appendedReply<StoredTransfer>(TRANSFER_SCOPE, challenge.requestId);
    if (!done) throw refusalError({ ok: false, code: 'CHALLENGE_CLOSED', message: 'the challenge is closed' });
    return { replayed: true, body: transferReplyBody(done.body) };
  }

  /** Counts the wrong code; the last one allowed closes the challenge and gives the held points back at once. */
  private async wrongCode(challenge: ChallengeRow): Promise<never> {
    const { maxAttempts } = this.program.stepUp;
    const counted = await this.challenges.countWrongCode(challenge.challengeId, maxAttempts);
    this.count('wrong-code');
    if (counted && counted.state === 'open') {
      const attemptsLeft = maxAttempts - counted.attempts;
      throw refusalError({ ok: false, code: 'WRONG_CODE', message: `wrong code, ${attemptsLeft} attempts left`, attemptsLeft });
    }
    if (counted) await this.releaseHold(counted);
    throw refusalError({ ok: false, code: 'TOO_MANY_ATTEMPTS', message: `${maxAttempts} wrong codes: the challenge is closed and its points released` });
  }

  private async releaseHold(challenge: ChallengeRow): Promise<void> {
    const occurredAt = this.clock().toISOString();
    await this.ledger
      .execute<null>({
        scope: CHALLENGE_RELEASE_SCOPE,
        key: challenge.challengeId,
        memberId: challenge.memberId,
        input: { challengeId: challenge.challengeId },
        occurredAt,
        decide: (state) => {
          const decision = decideRelease(state, { holdId: challenge.holdId, occurredAt, reason: 'released' });
          // Gone already (expired and released by the job): nothing to give back.
          if (!decision.ok) return { kind: 'refuse-unrecorded', refusal: decision };
          return { kind: 'append', events: decision.events, body: null };
        },
      })
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
  }

  private count(outcome: string): void {
    this.metrics.counter('tally_redeem_challenges_total', 'Step-up challenges by outcome (sent, confirmed, wrong-code)', ['outcome']).inc({ outcome });
  }
}
