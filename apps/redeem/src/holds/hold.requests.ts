import { mapAnswer } from '@tally/contracts';
import { Refusal, decideCapture, decideHold, decideRelease, refuse } from '@tally/redemption';
import { IdempotentRequest } from '../shared/idempotent-command';
import { CaptureRequest, CaptureResult, HoldRequest, HoldResult, ReleaseResult } from './hold.dto';

// The hold requests as the ledger decides them: pure, so the model checker runs the service's own.

/** Idempotency scopes (`causations.scope`) of the hold requests. */
export const HOLD_SCOPE = 'hold';
export const CAPTURE_SCOPE = 'hold-capture';
export const RELEASE_SCOPE = 'hold-release';

/** How a hold that is no longer open was resolved, as far as the service can tell. */
export type ResolvedHoldStatus = 'captured' | 'released' | 'resolved';

/** A hold found by its id: whom it belongs to, which store placed it, and how it was resolved if it was. */
export interface HoldRef {
  holdId: string;
  memberId: string;
  storeId: string;
  expiresAt: string;
  /** Captured or released by a request of this service (its causation says so), when this was looked up. */
  resolvedBy?: 'captured' | 'released';
}

/**
 * The member state keeps open holds only: a hold that was placed (its causation says so) but is not
 * in the state was resolved. By a capture or release request of this service when their causation
 * says so; otherwise, once its ttl is over, by the expiry sweep (a release); otherwise by a request
 * that raced with this one.
 */
const alreadyResolved = (hold: HoldRef, occurredAt: string): Refusal<'HOLD_ALREADY_RESOLVED'> => {
  const status: ResolvedHoldStatus = hold.resolvedBy ?? (Date.parse(occurredAt) >= Date.parse(hold.expiresAt) ? 'released' : 'resolved');
  return refuse(hold.memberId, 'HOLD_ALREADY_RESOLVED', `hold ${hold.holdId} is already ${status}`, { holdId: hold.holdId, status });
};

/** Asking for more than is held says nothing about the hold: the caller may capture again with the right amount. */
const CAPTURE_REQUEST_REFUSALS = ['CAPTURE_EXCEEDS_HOLD', 'INVALID_POINTS'];

export const holdRequest = (request: HoldRequest, occurredAt: string): IdempotentRequest<HoldResult> => {
  const { holdId, memberId, points, storeId, ttlSeconds } = request;
  return {
    scope: HOLD_SCOPE,
    key: holdId,
    memberId,
    input: { ...request },
    occurredAt,
    decide: (state) =>
      mapAnswer(decideHold(state, { holdId, points, storeId, ttlSeconds, occurredAt }), (held) => ({
        holdId,
        memberId,
        points,
        storeId,
        expiresAt: held.expiresAt,
        available: held.available,
        fromLots: held.fromLots,
      })),
  };
};

export const captureRequest = (hold: HoldRef, request: CaptureRequest, occurredAt: string): IdempotentRequest<CaptureResult> => {
  const { holdId, memberId } = hold;
  return {
    scope: CAPTURE_SCOPE,
    key: holdId,
    memberId,
    input: { holdId, ...request },
    occurredAt,
    unrecorded: CAPTURE_REQUEST_REFUSALS,
    decide: (state) => {
      const decision = decideCapture(state, { holdId, points: request.points, occurredAt });
      if (decision.kind === 'reject' && decision.code === 'HOLD_NOT_FOUND') return alreadyResolved(hold, occurredAt);
      return mapAnswer(decision, (captured) => ({
        holdId,
        memberId,
        captured: captured.captured,
        released: captured.released,
        fromLots: captured.fromLots,
        available: captured.available,
      }));
    },
  };
};

export const releaseRequest = (hold: HoldRef, occurredAt: string): IdempotentRequest<ReleaseResult> => {
  const { holdId, memberId } = hold;
  return {
    scope: RELEASE_SCOPE,
    key: holdId,
    memberId,
    input: { holdId },
    occurredAt,
    decide: (state) => {
      const decision = decideRelease(state, { holdId, occurredAt, reason: 'released' });
      if (decision.kind === 'reject' && decision.code === 'HOLD_NOT_FOUND') return alreadyResolved(hold, occurredAt);
      return mapAnswer(decision, (released) => ({ holdId, memberId, released: released.points, available: released.available }));
    },
  };
};
