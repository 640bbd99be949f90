import { Append, NewLedgerEvent, Skip, appendOrSkip, instant } from '@tally/contracts';
import { MemberState, lotsInSpendingOrder } from '@tally/member-ledger';
import { expirablePoints } from '../shared/expirable';

export interface ExpiredCount {
  lotsExpired: number;
  pointsExpired: number;
}

/** Expiry never refuses: it expires lots, or there is nothing to do. */
export type ExpiryDecision = Append<ExpiredCount> | Skip<ExpiredCount>;

/**
 * Expires what is left of every lot due at `asOf`. Nothing expires twice: an expired lot has nothing
 * left (the member ledger closes it), so a second sweep at the same `asOf` decides nothing. The events
 * carry `asOf` as their time: the points were available until the sweep ran.
 */
export const decideExpiry = (state: MemberState, asOf: string): ExpiryDecision => {
  const now = instant(asOf);
  const events: NewLedgerEvent[] = [];
  const count: ExpiredCount = { lotsExpired: 0, pointsExpired: 0 };
  for (const lot of lotsInSpendingOrder(state.lots)) {
    if (instant(lot.expiresAt) > now) continue;
    const points = expirablePoints(lot);
    if (points <= 0) continue;
    events.push({ type: 'points.expired', memberId: state.memberId, occurredAt: asOf, data: { lotId: lot.lotId, points } });
    count.lotsExpired += 1;
    count.pointsExpired += points;
  }
  return appendOrSkip(events, count);
};
