import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, lotsInSpendingOrder } from '@tally/member-ledger';
import { expirablePoints } from '../shared/expirable';
import { instant } from '../shared/time';

export interface ExpiryDecision {
  ok: true;
  events: NewLedgerEvent[];
  lotsExpired: number;
  pointsExpired: number;
}

/**
 * Expires what is left of every lot due at `asOf`. Nothing expires twice: an expired lot has nothing
 * left (the member ledger closes it), so a second sweep at the same `asOf` decides nothing. The events
 * carry `asOf` as their time: the points were available until the sweep ran.
 */
export const decideExpiry = (state: MemberState, asOf: string): ExpiryDecision => {
  const now = instant(asOf);
  const decision: ExpiryDecision = { ok: true, events: [], lotsExpired: 0, pointsExpired: 0 };
  for (const lot of lotsInSpendingOrder(state.lots)) {
    if (instant(lot.expiresAt) > now) continue;
    const points = expirablePoints(lot);
    if (points <= 0) continue;
    decision.events.push({ type: 'points.expired', memberId: state.memberId, occurredAt: asOf, data: { lotId: lot.lotId, points } });
    decision.lotsExpired += 1;
    decision.pointsExpired += points;
  }
  return decision;
};
