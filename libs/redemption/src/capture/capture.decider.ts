import { LotPortion, isBefore } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { HoldNotOpen, findOpenHold } from '../hold/open-hold';
import { Accepted, Refusal, refuse } from '../shared/decision';
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

export type CaptureAccepted = Accepted<{
  holdId: string;
  captured: number;
  released: number;
  fromLots: LotPortion[];
}>;

export type CaptureRefusal =
  | HoldNotOpen
  | (Refusal<'HOLD_EXPIRED'> & { holdId: string; expiresAt: string })
  | Refusal<'INVALID_POINTS'>
  | (Refusal<'CAPTURE_EXCEEDS_HOLD'> & { holdId: string; held: number; requested: number });

export type CaptureDecision = CaptureAccepted | CaptureRefusal;

/**
 * Turns a hold into spent points. The captured points come from the hold's lots in their order (so
 * soonest-expiring first, as they were reserved); what is not captured is released at once.
 */
export const decideCapture = (state: MemberState, command: CaptureCommand): CaptureDecision => {
  const { holdId, occurredAt } = command;
  const open = findOpenHold(state, holdId);
  if (!open.ok) return open;
  const { hold } = open;
  // The ttl is over even if the expiry sweep has not released the hold yet.
  if (!isBefore(occurredAt, hold.expiresAt)) {
    return refuse('HOLD_EXPIRED', `hold ${holdId} expired at ${hold.expiresAt}`, { holdId, expiresAt: hold.expiresAt });
  }
  const points = command.points ?? hold.points;
  if (!isPositiveWholeNumber(points)) return invalidPoints(points);
  if (points > hold.points) {
    return refuse('CAPTURE_EXCEEDS_HOLD', `cannot capture ${points} points from a hold of ${hold.points}`, {
      holdId,
      held: hold.points,
      requested: points,
    });
  }

  const { first: captured, rest } = splitPortions(hold.fromLots, points);
  const events = [
    ledgerEvent('hold.captured', state.memberId, occurredAt, {
      holdId,
      points,
      fromLots: captured,
      ...(command.redemptionId !== undefined ? { redemptionId: command.redemptionId } : {}),
    }),
  ];
  const released = sumOfPortions(rest);
  if (released > 0) {
    events.push(ledgerEvent('hold.released', state.memberId, occurredAt, { holdId, points: released, fromLots: rest, reason: 'partial-capture' }));
  }
  return { ok: true, events, holdId, captured: points, released, fromLots: captured };
};
