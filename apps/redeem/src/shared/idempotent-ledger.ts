import { HttpStatus, Injectable } from '@nestjs/common';
import { Decision, fingerprintOf } from '@tally/contracts';
import { ConcurrencyConflictError, CommandOutcome, LedgerBatcher } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { AppError, ErrorBody, Metrics } from '@tally/platform';
import { errorBodyOfRefusal, statusOfRefusal } from './refusal.mapping';

/**
 * What the ledger keeps as the result of a request (`causations.result`) and answers again to a retry.
 * `memberId` is always there: it is how a hold or redemption is found again by its id.
 */
export type StoredReply<B> = { ok: true; memberId: string; body: B } | { ok: false; memberId: string; status: number; body: ErrorBody };

export interface IdempotentRequest<B> {
  /** Idempotency scope, e.g. `redemption`; with `key` it names the request for good. */
  scope: string;
  key: string;
  /** The member the request is about: refusals are recorded against it, and its reply names it. */
  memberId: string;
  /** Further members decided on together with `memberId` (a transfer's recipient), in the same append. */
  otherMemberIds?: readonly string[];
  /** The request as the client sent it (validated): its fingerprint tells a retry from a conflicting reuse of the key. */
  input: object;
  occurredAt: string;
  /**
   * Refusal codes about this request only (a wrong amount): not recorded, so the same key may be
   * retried with another body. Any other refusal is recorded (ops can list it), and is the key's
   * answer unless the rules say it rests on the member's state (not `final`).
   */
  unrecorded?: readonly string[];
  /**
   * The rules' decision, its success answered by the reply body. `state` is `memberId`'s; `states`
   * holds every member of the request, each at its committed head.
   */
  decide(state: MemberState, states: Readonly<Record<string, MemberState>>): Decision<B, string, unknown>;
}

export interface Reply<B> {
  /** True when this answers a retry: the effect happened once, earlier. */
  replayed: boolean;
  body: B;
}

/** The decision with the reply it stores for its key: the body, or the refusal as an HTTP error. */
const outcomeOf = <B>(request: IdempotentRequest<B>, decision: Decision<B, string, unknown>): CommandOutcome<StoredReply<B>> => {
  const { memberId } = request;
  if (decision.kind !== 'reject') return { ...decision, result: { ok: true, memberId, body: decision.result } };
  const result: StoredReply<B> = { ok: false, memberId, status: statusOfRefusal(decision.code), body: errorBodyOfRefusal(decision) };
  return request.unrecorded?.includes(decision.code) ? { kind: 'skip', result } : { ...decision, result };
};

/**
 * Runs one HTTP mutation as a ledger command, decided on the member's head (no overspend), with an
 * effect at most once per (scope, key): a success is the key's final answer (a retry gets it again,
 * another body with the same key 409), and so is a refusal about the request itself; a refusal that
 * rests on the member's state is not, so a retry with the key decides again.
 */
@Injectable()
export class IdempotentLedger {
  constructor(
    private readonly batcher: LedgerBatcher,
    private readonly metrics: Metrics,
  ) {}

  async execute<B>(request: IdempotentRequest<B>): Promise<Reply<B>> {
    const outcome = await this.run(request);
    const counted = outcome.status === 'duplicate' && !outcome.sameFingerprint ? 'conflict' : outcome.status;
    this.metrics
      .counter('tally_redeem_requests_total', 'Redeem-service mutations by idempotency scope and outcome', ['scope', 'outcome'])
      .inc({ scope: request.scope, outcome: counted });
    if (outcome.status !== 'duplicate') return answer(outcome.result, false);
    if (!outcome.sameFingerprint) {
      throw new AppError({
        status: HttpStatus.CONFLICT,
        error: 'idempotency_conflict',
        message: `${request.scope} ${request.key} was already requested with another body`,
        scope: request.scope,
        id: request.key,
      });
    }
    return answer(outcome.result as StoredReply<B>, true);
  }

  private async run<B>(request: IdempotentRequest<B>) {
    try {
      // Group commit: concurrent requests share one transaction (see LedgerBatcher).
      return await this.batcher.submit<StoredReply<B>>({
        scope: request.scope,
        causationId: request.key,
        memberIds: [...new Set([request.memberId, ...(request.otherMemberIds ?? [])])],
        fingerprint: fingerprintOf(request.input),
        refused: { input: request.input, occurredAt: request.occurredAt },
        decide: (states) => outcomeOf(request, request.decide(states[request.memberId], states)),
      });
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
      throw new AppError({
        status: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'ledger_busy',
        message: 'the member is being changed by many requests at once; retry with the same id',
        headers: { 'Retry-After': '1' },
      });
    }
  }
}

const answer = <B>(reply: StoredReply<B>, replayed: boolean): Reply<B> => {
  if (reply.ok) return { replayed, body: reply.body };
  throw new AppError({ status: reply.status, ...reply.body });
};
