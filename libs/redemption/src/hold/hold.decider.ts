import { LotPortion, appendEvents, plusSeconds } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { RedemptionDecision, Refusal, isRefusal, refuse } from '../shared/decision';
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

export interface HoldResult {
  holdId: string;
  points: number;
  fromLots: LotPortion[];
  expiresAt: string;
  /** `available` once the hold is applied. */
  available: number;
}

/** Details: `ttlSeconds` (invalid ttl); `holdId` (hold exists). */
export type HoldRefusal = Refusal<'INVALID_POINTS'> | Refusal<'INVALID_TTL'> | Refusal<'HOLD_EXISTS'> | SpendRefusal;

export type HoldDecision = RedemptionDecision<HoldResult, HoldRefusal['code']>;

/** Reserves points at checkout: they leave `available` for `held` until captured, released or expired. */
export const decideHold = (state: MemberState, command: HoldCommand): HoldDecision => {
  const { holdId, points, ttlSeconds } = command;
  const { memberId } = state;
  // An open hold with this id; a resolved one is no longer in the state (the service's idempotency by hold id covers it).
  if (Object.hasOwn(state.holds, holdId)) return refuse(memberId, 'HOLD_EXISTS', `hold ${holdId} already exists`, { holdId });
  if (!isPositiveWholeNumber(points)) return invalidPoints(memberId, points);
  if (!isPositiveWholeNumber(ttlSeconds)) {
    return refuse(memberId, 'INVALID_TTL', `ttlSeconds must be a positive whole number, got ${String(ttlSeconds)}`, { ttlSeconds });
  }
  const spending = spendAvailable(state, points);
  if (isRefusal(spending)) return spending;

  const expiresAt = plusSeconds(command.occurredAt, ttlSeconds);
  const event = ledgerEvent('points.held', memberId, command.occurredAt, {
    holdId,
    points,
    storeId: command.storeId,
    fromLots: spending.fromLots,
    expiresAt,
  });
  return appendEvents([event], { holdId, points, fromLots: spending.fromLots, expiresAt, available: spending.available - points });
};
