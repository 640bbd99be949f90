import { Append, Decision, EarnReason, LotPortion, NewLedgerEvent } from '@tally/contracts';
import { evolveAll, stateFrom } from '../member.evolve';
import { MemberState } from '../member-state';

// Test support for the pure rules' specs (`@tally/member-ledger/testing`): "given" states are folded
// from real ledger events, as the services fold them.

export const MEMBER_ID = 'm-1001';

/** An expiry no spec reaches. */
export const FAR = '2099-01-01T00:00:00Z';

export const fold = evolveAll;

export const given = (...events: NewLedgerEvent[]): MemberState => stateFrom(MEMBER_ID, events);

/** The decision as an append; a refusal or a skip here is a broken test setup. */
export const accepted = <R>(decision: Decision<R, string, unknown>): Append<R> => {
  if (decision.kind !== 'append') throw new Error(`expected an append, got ${decision.kind === 'reject' ? decision.code : 'nothing to do'}`);
  return decision;
};

/** An appending decision's events. */
export const eventsOf = (decision: Decision<unknown, string, unknown>): NewLedgerEvent[] => accepted(decision).events;

/** Applies an appending decision's events. */
export const after = (state: MemberState, decision: Decision<unknown, string, unknown>): MemberState => fold(state, eventsOf(decision));

const pointsOf = (portions: readonly LotPortion[]): number => portions.reduce((sum, p) => sum + p.points, 0);

export interface Earning {
  lotId: string;
  points: number;
  expiresAt?: string;
  occurredAt: string;
  availableAt?: string;
  reason?: EarnReason;
  orderId?: string;
}

export const earnedEvent = ({ lotId, points, expiresAt = FAR, occurredAt, availableAt, reason = 'purchase', orderId }: Earning): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: MEMBER_ID,
  occurredAt,
  data: {
    points,
    lotId,
    expiresAt,
    reason,
    tier: 'member',
    multiplier: 1,
    ruleIds: ['base'],
    ...(orderId !== undefined ? { orderId } : {}),
    ...(availableAt !== undefined ? { availableAt } : {}),
  },
});

export const clawedBackEvent = (occurredAt: string, fromLots: LotPortion[], refundId: string, debt = 0): NewLedgerEvent => ({
  type: 'points.clawed-back',
  memberId: MEMBER_ID,
  occurredAt,
  data: { points: pointsOf(fromLots) + debt, orderId: 'o-1', refundId, fromLots, ...(debt > 0 ? { debt } : {}) },
});

export const tierChangedEvent = (occurredAt: string, from: string, to: string, reason = 'threshold-reached', floor?: string): NewLedgerEvent => ({
  type: 'tier.changed',
  memberId: MEMBER_ID,
  occurredAt,
  data: { from, to, qualifyingPoints: 0, reason, ...(floor !== undefined ? { floor } : {}) },
});

export const redeemedEvent = (occurredAt: string, redemptionId: string, fromLots: LotPortion[]): NewLedgerEvent => ({
  type: 'points.redeemed',
  memberId: MEMBER_ID,
  occurredAt,
  data: { redemptionId, points: pointsOf(fromLots), storeId: 'sh-07', fromLots },
});

export const heldEvent = (occurredAt: string, holdId: string, fromLots: LotPortion[], expiresAt = FAR): NewLedgerEvent => ({
  type: 'points.held',
  memberId: MEMBER_ID,
  occurredAt,
  data: { holdId, points: pointsOf(fromLots), storeId: 'sh-07', fromLots, expiresAt },
});
