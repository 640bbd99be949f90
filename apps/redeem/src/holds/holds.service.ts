import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { decideCapture, decideHold, decideRelease } from '@tally/redemption';
import { availableAfter } from '../shared/balance-after';
import { IdempotentLedger, Reply } from '../shared/idempotent-ledger';
import { MemberLookup } from '../shared/member-lookup.query';
import { CaptureRequest, CaptureResult, HoldRequest, HoldResult, ReleaseResult } from './hold.dto';

export const HOLD_SCOPE = 'hold';
export const CAPTURE_SCOPE = 'hold-capture';
export const RELEASE_SCOPE = 'hold-release';

/** A hold found by its id: whom it belongs to and which store placed it. */
export interface HoldRef {
  holdId: string;
  memberId: string;
  storeId: string;
}

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

  /** 404 unless a hold with this id was placed. */
  async find(holdId: string): Promise<HoldRef> {
    const state = await this.lookup.stateOf(HOLD_SCOPE, holdId);
    const hold = state?.holds[holdId];
    if (!state || !hold) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'hold_not_found', message: `no hold ${holdId}`, holdId });
    return { holdId, memberId: state.memberId, storeId: hold.storeId };
  }

  capture({ holdId, memberId }: HoldRef, request: CaptureRequest): Promise<Reply<CaptureResult>> {
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<CaptureResult>({
      scope: CAPTURE_SCOPE,
      key: holdId,
      memberId,
      input: { holdId, ...request },
      occurredAt,
      decide: (state) => {
        const decision = decideCapture(state, { holdId, points: request.points, occurredAt });
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

  release({ holdId, memberId }: HoldRef): Promise<Reply<ReleaseResult>> {
    const occurredAt = this.clock().toISOString();
    return this.ledger.execute<ReleaseResult>({
      scope: RELEASE_SCOPE,
      key: holdId,
      memberId,
      input: { holdId },
      occurredAt,
      decide: (state) => {
        const decision = decideRelease(state, { holdId, occurredAt, reason: 'released' });
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
