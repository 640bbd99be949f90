import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { MemberState, evolveAll, stateFrom } from '@tally/member-ledger';

/** Test support: "given" states are folded from real ledger events, as the services fold them. */
export const MEMBER_ID = 'm-1001';
export const T0 = '2025-03-01T08:00:00.000Z';

export const fold = evolveAll;

export const given = (...events: NewLedgerEvent[]): MemberState => stateFrom(MEMBER_ID, events);

const event = (e: NewLedgerEvent): NewLedgerEvent => e;

export const earned = (lotId: string, points: number, expiresAt: string, availableAt?: string): NewLedgerEvent =>
  event({
    type: 'points.earned',
    memberId: MEMBER_ID,
    occurredAt: T0,
    data: { points, lotId, expiresAt, reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: ['base'], ...(availableAt ? { availableAt } : {}) },
  });

export const redeemed = (redemptionId: string, fromLots: LotPortion[]): NewLedgerEvent =>
  event({
    type: 'points.redeemed',
    memberId: MEMBER_ID,
    occurredAt: T0,
    data: { redemptionId, points: fromLots.reduce((s, p) => s + p.points, 0), storeId: 'sh-07', fromLots },
  });

export const reversed = (redemptionId: string, toLots: LotPortion[], occurredAt: string): NewLedgerEvent =>
  event({ type: 'redemption.reversed', memberId: MEMBER_ID, occurredAt, data: { redemptionId, points: toLots.reduce((s, p) => s + p.points, 0), toLots } });

export const held = (holdId: string, fromLots: LotPortion[]): NewLedgerEvent =>
  event({
    type: 'points.held',
    memberId: MEMBER_ID,
    occurredAt: T0,
    data: { holdId, points: fromLots.reduce((s, p) => s + p.points, 0), storeId: 'sh-07', fromLots, expiresAt: '2099-01-01T00:00:00Z' },
  });

export const holdReleased = (holdId: string, fromLots: LotPortion[], occurredAt: string): NewLedgerEvent =>
  event({
    type: 'hold.released',
    memberId: MEMBER_ID,
    occurredAt,
    data: { holdId, points: fromLots.reduce((s, p) => s + p.points, 0), fromLots, reason: 'released' },
  });

export const released = (lotId: string, points: number): NewLedgerEvent =>
  event({ type: 'points.released', memberId: MEMBER_ID, occurredAt: T0, data: { lotId, points } });
