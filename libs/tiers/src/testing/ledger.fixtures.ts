import { Decision, EarnReason, NewLedgerEvent } from '@tally/contracts';
import { MemberState, evolveAll, stateFrom } from '@tally/member-ledger';
import { TierRules } from '../tier.rules';

/** Test support: "given" states are folded from real ledger events, as the services fold them. */
export const MEMBER_ID = 'm-1001';
const FAR = '2099-01-01T00:00:00Z';

export const fold = evolveAll;

export const given = (...events: NewLedgerEvent[]): MemberState => stateFrom(MEMBER_ID, events);

let lots = 0;

export const earnedAt = (occurredAt: string, points: number, reason: EarnReason = 'purchase'): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: MEMBER_ID,
  occurredAt,
  data: { points, lotId: `lot-${++lots}`, expiresAt: FAR, reason, tier: 'member', multiplier: 1, ruleIds: ['base'], orderId: 'o-1' },
});

export const clawedBackAt = (occurredAt: string, points: number, lotId: string): NewLedgerEvent => ({
  type: 'points.clawed-back',
  memberId: MEMBER_ID,
  occurredAt,
  data: { points, orderId: 'o-1', refundId: `r-${++lots}`, fromLots: [{ lotId, points, expiresAt: FAR }] },
});

export const tierChangedAt = (occurredAt: string, from: string, to: string, reason = 'threshold-reached', floor?: string): NewLedgerEvent => ({
  type: 'tier.changed',
  memberId: MEMBER_ID,
  occurredAt,
  data: { from, to, qualifyingPoints: 0, reason, ...(floor ? { floor } : {}) },
});

/** The default program's tiers, listed out of order on purpose: the ladder sorts by threshold. */
export const RULES: TierRules = {
  tiers: [
    { name: 'gold', threshold: 5000 },
    { name: 'member', threshold: 0 },
    { name: 'diamond', threshold: 20000 },
    { name: 'silver', threshold: 1000 },
  ],
  tierWindow: { kind: 'rolling-days', days: 365 },
  downgrade: { policy: 'one-step', minDaysAfterUpgrade: 365 },
};

/** An appending decision's events; anything else here is a broken test setup. */
export const eventsOf = (decision: Decision<unknown>): NewLedgerEvent[] => {
  if (decision.kind !== 'append') throw new Error(`expected events, got ${JSON.stringify(decision)}`);
  return decision.events;
};

/** Applies an appending decision's events. */
export const after = (state: MemberState, decision: Decision<unknown>): MemberState => fold(state, eventsOf(decision));
