import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { decideCapture, decideHold, decideRelease } from '@tally/redemption';
import { availableAfter } from '../shared/balance-after';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup, StoredCausation, appendedReplyOf } from '../shared/member-lookup.query';
import { LibRefusal } from '../shared/refusal.mapping';
import { CaptureRequest, CaptureResult, HoldRequest, HoldResult, ReleaseResult } from './hold.dto';

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

const isAppended = (causation: StoredCausation | undefined): boolean => causation?.outcome === 'appended';

/**
 * The member state keeps open holds only: a hold that was placed (its causation says so) but is not
 * in the state was resolved. By a capture or release request of this service when their causation
 * says so; otherwise, once its ttl is over, by the expiry sweep (a release); otherwise by a request
 * that raced with this one.
 */
const alreadyResolved = (hold: HoldRef, occurredAt: string): LibRefusal & { holdId: string; status: ResolvedHoldStatus } => {
  const status: ResolvedHoldStatus = hold.resolvedBy ?? (Date.parse(occurredAt) >= Date.parse(hold.expiresAt) ? 'released' : 'resolved');
  return { ok: false, code: 'HOLD_ALREADY_RESOLVED', message: `hold ${hold.holdId} is already ${status}`, holdId: hold.holdId, status };
};

@Injectable()
export class HoldsService {
  constructor(
    private readonly ledger: IdempotentLedger,
    private readonly lookup: MemberLookup,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  hold(request: HoldRequest): Promise<Reply<HoldResult>> {
    const { holdId, memberId, points, storeId, ttlSeconds } = request;
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<HoldResult>({
      scope: HOLD_SCOPE,
      key: holdId,
      memberId,
      input: { ...request },
      occurredAt,
      decide: (state) => {
        const decision = decideHold(state, { holdId, points, storeId, ttlSeconds, occurredAt });
        if (!decision.ok) return { kind: 'refuse', refusal: decision };
        return {
          kind: 'append',
          events: decision.events,
          body: { holdId, memberId, points, storeId, expiresAt: decision.expiresAt, available: decision.available, fromLots: decision.fromLots },
        };
      },
    });
  }

  /**
   * 404 unless a hold with this id was placed (a refused one was not) by a store the caller may act
   * for (`visibleTo`): another store's hold gets the same 404 as none, so a store cannot tell other
   * stores' hold ids from unknown ones. Its member and store come from its stored first result, and
   * how it was resolved from the capture and release causations: one primary-key read, nothing from
   * the member state (which forgets a hold once it is resolved).
   */
  async find(holdId: string, visibleTo: (storeId: string) => boolean): Promise<HoldRef> {
    const causations = await this.lookup.causations([HOLD_SCOPE, CAPTURE_SCOPE, RELEASE_SCOPE], holdId);
    const placed = appendedReplyOf<HoldResult>(causations.get(HOLD_SCOPE));
    if (!placed || !visibleTo(placed.body.storeId)) {
      throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'hold_not_found', message: `no hold ${holdId}`, holdId });
    }
    const resolvedBy = isAppended(causations.get(CAPTURE_SCOPE)) ? 'captured' : isAppended(causations.get(RELEASE_SCOPE)) ? 'released' : undefined;
    return {
      holdId,
      memberId: placed.memberId,
      storeId: placed.body.storeId,
      expiresAt: placed.body.expiresAt,
      ...(resolvedBy !== undefined ? { resolvedBy } : {}),
    };
  }

  /** A retry of a capture replays it; capturing a hold that is no longer open is 409 `hold_already_resolved`. */
  capture(hold: HoldRef, request: CaptureRequest): Promise<Reply<CaptureResult>> {
    const { holdId, memberId } = hold;
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<CaptureResult>({
      scope: CAPTURE_SCOPE,
      key: holdId,
      memberId,
      input: { holdId, ...request },
      occurredAt,
      decide: (state) => {
        const decision = decideCapture(state, { holdId, points: request.points, occurredAt });
        if (!decision.ok && decision.code === 'HOLD_NOT_FOUND') return { kind: 'refuse', refusal: alreadyResolved(hold, occurredAt) };
        if (!decision.ok) {
          // Asking for more than is held says nothing about the hold: the caller may capture again with the right amount.
          const retryable = decision.code === 'CAPTURE_EXCEEDS_HOLD' || decision.code === 'INVALID_POINTS';
          return { kind: retryable ? 'refuse-unrecorded' : 'refuse', refusal: decision };
        }
        return {
          kind: 'append',
          events: decision.events,
          body: {
            holdId,
            memberId,
            captured: decision.captured,
            released: decision.released,
            fromLots: decision.fromLots,
            available: availableAfter(state, decision.events),
          },
        };
      },
    });
  }

  /** A retry of a release replays it; releasing a hold that is no longer open is 409 `hold_already_resolved`. */
  release(hold: HoldRef): Promise<Reply<ReleaseResult>> {
    const { holdId, memberId } = hold;
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<ReleaseResult>({
      scope: RELEASE_SCOPE,
      key: holdId,
      memberId,
      input: { holdId },
      occurredAt,
      decide: (state) => {
        const decision = decideRelease(state, { holdId, occurredAt, reason: 'released' });
        if (!decision.ok && decision.code === 'HOLD_NOT_FOUND') return { kind: 'refuse', refusal: alreadyResolved(hold, occurredAt) };
        if (!decision.ok) return { kind: 'refuse', refusal: decision };
        return {
          kind: 'append',
          events: decision.events,
          body: { holdId, memberId, released: decision.points, available: availableAfter(state, decision.events) },
        };
      },
    });
  }
}
