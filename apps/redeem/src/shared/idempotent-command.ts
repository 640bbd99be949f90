import { Decision, fingerprintOf } from '@tally/contracts';
import { CommandOutcome, LedgerCommand } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { ErrorBody } from '@tally/platform';
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

/** The decision with the reply it stores for its key: the body, or the refusal as an HTTP error. */
const outcomeOf = <B>(request: IdempotentRequest<B>, decision: Decision<B, string, unknown>): CommandOutcome<StoredReply<B>> => {
  const { memberId } = request;
  if (decision.kind !== 'reject') return { ...decision, result: { ok: true, memberId, body: decision.result } };
  const result: StoredReply<B> = { ok: false, memberId, status: statusOfRefusal(decision.code), body: errorBodyOfRefusal(decision) };
  return request.unrecorded?.includes(decision.code) ? { kind: 'skip', result } : { ...decision, result };
};

/** The ledger command of a request (pure: the model checker builds the same commands as the service). */
export const idempotentCommand = <B>(request: IdempotentRequest<B>): LedgerCommand<StoredReply<B>> => ({
  scope: request.scope,
  causationId: request.key,
  memberIds: [...new Set([request.memberId, ...(request.otherMemberIds ?? [])])],
  fingerprint: fingerprintOf(request.input),
  refused: { input: request.input, occurredAt: request.occurredAt },
  decide: (states) => outcomeOf(request, request.decide(states[request.memberId], states)),
});
