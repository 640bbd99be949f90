import { LotPortion, appendEvents, isBefore } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { HoldNotOpen, findOpenHold } from '../hold/open-hold';
import { availableAfter } from '../shared/balance-after';
import { RedemptionDecision, Refusal, isRefusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';
import { isPositiveWholeNumber, splitPortions, sumOfPortions } from '../shared/points';
import { invalidPoints } from '../shared/spending';

export interface CaptureCommand {
  holdId: string;
  /** Fewer points than held captures part and releases the rest; absent captures the whole hold. */
  points?: number;
  occurredAt: string;
  redemptionId?: string;
}

export interface CaptureResult {
  holdId: string;
  captured: number;
  released: number;
  fromLots: LotPortion[];
  /** `available` once the capture (and the release of the rest) is applied. */
  available: number;
}

/** Details: `holdId`, `expiresAt` (expired); `holdId`, `held`, `requested` (exceeds the hold). */
export type CaptureRefusal = HoldNotOpen | Refusal<'HOLD_EXPIRED'> | Refusal<'INVALID_POINTS'> | Refusal<'CAPTURE_EXCEEDS_HOLD'>;

export type CaptureDecision = RedemptionDecision<CaptureResult, CaptureRefusal['code']>;

/**
 * Turns a hold into spent points. The captured points come from the hold's lots in their order (so
 * soonest-expiring first, as they were reserved); what is not captured is released at once.
 */
export const decideCapture = (state: MemberState, command: CaptureCommand): CaptureDecision => {
  const { holdId, occurredAt } = command;
  const { memberId } = state;
  const hold = findOpenHold(state, holdId);
  if (isRefusal(hold)) return hold;
  // The ttl is over even if the expiry sweep has not released the hold yet.
  if (!isBefore(occurredAt, hold.expiresAt)) {
    return refuse(memberId, 'HOLD_EXPIRED', `hold ${holdId} expired at ${hold.expiresAt}`, { holdId, expiresAt: hold.expiresAt });
  }
  const points = command.points ?? hold.points;
  if (!isPositiveWholeNumber(points)) return invalidPoints(memberId, points);
  if (points > hold.points) {
    return refuse(memberId, 'CAPTURE_EXCEEDS_HOLD', `cannot capture ${points} points from a hold of ${hold.points}`, {
      holdId,
      held: hold.points,
      requested: points,
    });
  }

  const { first: captured, rest } = splitPortions(hold.fromLots, points);
  const events = [
    ledgerEvent('hold.captured', memberId, occurredAt, {
      holdId,
      points,
      fromLots: captured,
      ...(command.redemptionId !== undefined ? { redemptionId: command.redemptionId } : {}),
    }),
  ];
  const released = sumOfPortions(rest);
  if (released > 0) {
    events.push(ledgerEvent('hold.released', memberId, occurredAt, { holdId, points: released, fromLots: rest, reason: 'partial-capture' }));
  }
  return appendEvents(events, { holdId, captured: points, released, fromLots: captured, available: availableAfter(state, events) });
};
