import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { MEMBER_ID, earnedEvent, heldEvent, redeemedEvent } from '@tally/member-ledger/testing';

export { MEMBER_ID, fold, given } from '@tally/member-ledger/testing';

/** Test support of the expiry rules, on the shared member fixtures. */
export const T0 = '2025-03-01T08:00:00.000Z';

export const earned = (lotId: string, points: number, expiresAt: string, availableAt?: string): NewLedgerEvent =>
  earnedEvent({ lotId, points, expiresAt, occurredAt: T0, availableAt });

export const redeemed = (redemptionId: string, fromLots: LotPortion[]): NewLedgerEvent => redeemedEvent(T0, redemptionId, fromLots);

export const reversed = (redemptionId: string, toLots: LotPortion[], occurredAt: string): NewLedgerEvent => ({
  type: 'redemption.reversed',
  memberId: MEMBER_ID,
  occurredAt,
  data: { redemptionId, points: toLots.reduce((s, p) => s + p.points, 0), toLots },
});

export const held = (holdId: string, fromLots: LotPortion[]): NewLedgerEvent => heldEvent(T0, holdId, fromLots);

export const holdReleased = (holdId: string, fromLots: LotPortion[], occurredAt: string): NewLedgerEvent => ({
  type: 'hold.released',
  memberId: MEMBER_ID,
  occurredAt,
  data: { holdId, points: fromLots.reduce((s, p) => s + p.points, 0), fromLots, reason: 'released' },
});

export const released = (lotId: string, points: number): NewLedgerEvent => ({
  type: 'points.released',
  memberId: MEMBER_ID,
  occurredAt: T0,
  data: { lotId, points },
});
