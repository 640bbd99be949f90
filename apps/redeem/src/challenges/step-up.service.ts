import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ChallengeCodeNotice, Topics, mapAnswer } from '@tally/contracts';
import { LEDGER_CLOCK } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { TypedProducer } from '@tally/messaging';
import { AppError, Metrics } from '@tally/platform';
import { Program } from '@tally/program';
import { HoldResult, RedemptionDecision, challengeHoldId, decideRelease, judgeAttempt } from '@tally/redemption';
import { PROGRAM } from '@tally/service-kit';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { LibRefusal, errorBodyOfRefusal, statusOfRefusal } from '../shared/refusal.mapping';
import { ChallengeRepository, ChallengeRow, codeMatches, hashCode, newCode } from './challenge.repository';
import { ChallengeResult } from './challenge.dto';

const CHALLENGE_RELEASE_SCOPE = 'challenge-release';

type StoredChallenge = ChallengeResult & { holdId: string };

/** A request that waits for a code: what it is, whose points it holds, and the request as it came. */
export interface ChallengeSubject {
  purpose: ChallengeCodeNotice['purpose'];
  /** The request's own idempotency key (`transferId`, `redemptionId`). */
  requestId: string;
  memberId: string;
  otherMemberIds?: readonly string[];
  points: number;
  request: object;
  occurredAt: string;
  /** The request judged as it would be made now, and its points held under `holdId` for `ttlSeconds`. */
  decideHold(state: MemberState, states: Readonly<Record<string, MemberState>>, holdId: string, ttlSeconds: number): RedemptionDecision<HoldResult>;
}

/** How a confirmed challenge's request is made, and found again when the right code comes twice. */
export interface ChallengeCompletion<B> {
  complete(challenge: ChallengeRow): Promise<Reply<B>>;
  /** The request's result when it was made; undefined when it was not. */
  made(challenge: ChallengeRow): Promise<B | undefined>;
}

const refusalError = (refusal: LibRefusal): AppError => new AppError({ status: statusOfRefusal(refusal.code), ...errorBodyOfRefusal(refusal) });

const closed = (): AppError => refusalError({ code: 'CHALLENGE_CLOSED', message: 'the challenge is closed' });

/**
 * Step-up verification: the points are held while a one-time code goes to the member (on
 * `loyalty.notifications.v1`, for the SMS sender outside Tally; Tally keeps only its hash), and the
 * right code turns the hold into the request. Wrong codes are limited; an expired challenge's hold
 * is released by the hold-expiry job like any hold whose ttl ended.
 */
@Injectable()
export class StepUp {
  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly challenges: ChallengeRepository,
    private readonly producer: TypedProducer,
    private readonly metrics: Metrics,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  /** Holds the points and sends a code, once per request id: a retry gets the same challenge. */
  async begin(subject: ChallengeSubject): Promise<ChallengeResult> {
    const challengeId = randomUUID();
    const holdId = challengeHoldId(challengeId);
    const ttlSeconds = this.program.stepUp.codeTtlSeconds;
    const reply = await this.ledger.execute<StoredChallenge>({
      scope: `${subject.purpose}-challenge`,
      key: subject.requestId,
      memberId: subject.memberId,
      otherMemberIds: subject.otherMemberIds,
      input: subject.request,
      occurredAt: subject.occurredAt,
      decide: (state, states) => mapAnswer(subject.decideHold(state, states, holdId, ttlSeconds), ({ expiresAt }) => ({ challengeId, expiresAt, holdId })),
    });
    const stored = reply.body;
    if (!(await this.challenges.find(stored.challengeId))) await this.sendCode(stored, subject);
    return { challengeId: stored.challengeId, expiresAt: stored.expiresAt };
  }

  /** The code goes out before the challenge is stored: a failed send leaves no challenge, and a retry sends a new code. */
  private async sendCode(stored: StoredChallenge, subject: ChallengeSubject): Promise<void> {
    const code = newCode();
    const { challengeId, expiresAt, holdId } = stored;
    const { purpose, memberId, points } = subject;
    await this.producer.send(Topics.notifications, [
      { key: memberId, value: { type: 'challenge.code', memberId, challengeId, purpose, points, code, expiresAt } },
    ]);
    await this.challenges.create({
      challengeId,
      purpose,
      requestId: subject.requestId,
      memberId,
      request: { ...subject.request },
      holdId,
      codeHash: hashCode(challengeId, code),
      expiresAt,
    });
    this.count(purpose, 'sent');
  }

  /** 404 `challenge_not_found` unless there is such a challenge. */
  async find(challengeId: string): Promise<ChallengeRow> {
    const challenge = await this.challenges.find(challengeId);
    if (!challenge) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'challenge_not_found', message: `no challenge ${challengeId}`, challengeId });
    return challenge;
  }

  /** The right code makes the request (201; 200 on a retry); a wrong one counts against the limit. */
  async confirm<B>(challenge: ChallengeRow, code: string, completion: ChallengeCompletion<B>): Promise<Reply<B>> {
    const matches = codeMatches(challenge, code);
    if (challenge.state === 'confirmed' && matches) {
      const made = await completion.made(challenge);
      if (made === undefined) throw closed();
      return { replayed: true, body: made };
    }
    const { maxAttempts } = this.program.stepUp;
    const refusal = judgeAttempt(challenge, matches, this.clock().toISOString(), maxAttempts);
    if (refusal?.code === 'WRONG_CODE' || refusal?.code === 'TOO_MANY_ATTEMPTS') return this.wrongCode(challenge);
    if (refusal) throw refusalError(refusal);
    if (!(await this.challenges.confirm(challenge.challengeId, maxAttempts))) throw closed();
    this.count(challenge.purpose, 'confirmed');
    try {
      return await completion.complete(challenge);
    } catch (error) {
      await this.challenges.fail(challenge.challengeId);
      throw error;
    }
  }

  /** Counts the wrong code; the last one allowed closes the challenge and gives the held points back at once. */
  private async wrongCode(challenge: ChallengeRow): Promise<never> {
    const { maxAttempts } = this.program.stepUp;
    const counted = await this.challenges.countWrongCode(challenge.challengeId, maxAttempts);
    this.count(challenge.purpose, 'wrong-code');
    if (counted && counted.state === 'open') {
      const attemptsLeft = maxAttempts - counted.attempts;
      throw refusalError({ code: 'WRONG_CODE', message: `wrong code, ${attemptsLeft} attempts left`, details: { attemptsLeft } });
    }
    if (counted) await this.releaseHold(counted);
    throw refusalError({ code: 'TOO_MANY_ATTEMPTS', message: `${maxAttempts} wrong codes: the challenge is closed and its points released` });
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
        // Gone already (expired and released by the job): nothing to give back.
        unrecorded: ['HOLD_NOT_FOUND'],
        decide: (state) => mapAnswer(decideRelease(state, { holdId: challenge.holdId, occurredAt, reason: 'released' }), () => null),
      })
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
      });
  }

  private count(purpose: string, outcome: string): void {
    this.metrics
      .counter('tally_redeem_challenges_total', 'Step-up challenges by purpose and outcome (sent, confirmed, wrong-code)', ['purpose', 'outcome'])
      .inc({ purpose, outcome });
  }
}
