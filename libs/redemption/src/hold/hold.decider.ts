import { LotPortion, plusSeconds } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { Accepted, Refusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';
import { isPositiveWholeNumber } from '../shared/points';
import { SpendRefusal, invalidPoints, spendAvailable } from '../shared/spending';

export interface HoldCommand {
  holdId: string;
  points: number;
  storeId: string;
  ttlSeconds: number;
  occurredAt: string;
}

export type HoldAccepted = Accepted<{
  holdId: string;
  points: number;
  fromLots: LotPortion[];
  expiresAt: string;
  /** `available` once the hold is applied. */
  available: number;
}>;

export type HoldRefusal =
  | Refusal<'INVALID_POINTS'>
  | (Refusal<'INVALID_TTL'> & { ttlSeconds: number })
  | (Refusal<'HOLD_EXISTS'> & { holdId: string })
  | SpendRefusal;

export type HoldDecision = HoldAccepted | HoldRefusal;

/** Reserves points at checkout: they leave `available` for `held` until captured, released or expired. */
export const decideHold = (state: MemberState, command: HoldCommand): HoldDecision => {
  const { holdId, points, ttlSeconds } = command;
  // An open hold with this id; a resolved one is no longer in the state (the service's idempotency by hold id covers it).
  if (Object.hasOwn(state.holds, holdId)) return refuse('HOLD_EXISTS', `hold ${holdId} already exists`, { holdId });
  if (!isPositiveWholeNumber(points)) return invalidPoints(points);
  if (!isPositiveWholeNumber(ttlSeconds)) {
    return refuse('INVALID_TTL', `ttlSeconds must be a positive whole number, got ${String(ttlSeconds)}`, { ttlSeconds });
  }
  const spending = spendAvailable(state, points);
  if (!spending.ok) return spending;

  const expiresAt = plusSeconds(command.occurredAt, ttlSeconds);
  const event = ledgerEvent('points.held', state.memberId, command.occurredAt, {
    holdId,
    points,
    storeId: command.storeId,
    fromLots: spending.fromLots,
    expiresAt,
  });
  return { ok: true, events: [event], holdId, points, fromLots: spending.fromLots, expiresAt, available: spending.available - points };
};
