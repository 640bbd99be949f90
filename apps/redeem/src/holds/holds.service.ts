import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { mapAnswer } from '@tally/contracts';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { Refusal, decideCapture, decideHold, decideRelease, refuse } from '@tally/redemption';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup, StoredCausation, appendedReplyOf } from '../shared/member-lookup.query';
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
const alreadyResolved = (hold: HoldRef, occurredAt: string): Refusal<'HOLD_ALREADY_RESOLVED'> => {
  const status: ResolvedHoldStatus = hold.resolvedBy ?? (Date.parse(occurredAt) >= Date.parse(hold.expiresAt) ? 'released' : 'resolved');
  return refuse(hold.memberId, 'HOLD_ALREADY_RESOLVED', `hold ${hold.holdId} is already ${status}`, { holdId: hold.holdId, status });
};

/** Asking for more than is held says nothing about the hold: the caller may capture again with the right amount. */
const CAPTURE_REQUEST_REFUSALS = ['CAPTURE_EXCEEDS_HOLD', 'INVALID_POINTS'];

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
        if (decision.kind === 'reject' && decision.code === 'HOLD_NOT_FOUND') return alreadyResolved(hold, occurredAt);
        return mapAnswer(decision, (released) => ({ holdId, memberId, released: released.points, available: released.available }));
      },
    });
  }
}
