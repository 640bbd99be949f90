import { Decision, LotPortion, NewLedgerEvent } from '@tally/contracts';
import { MemberState, evolveAll, stateFrom } from '@tally/member-ledger';
import { RedeemRules } from '../redemption.rules';

/** Test support: "given" states are folded from real ledger events, as the services fold them. */
export const MEMBER_ID = 'm-1001';
export const T0 = '2026-01-10T08:00:00.000Z';

export const fold = evolveAll;

export const given = (...events: NewLedgerEvent[]): MemberState => stateFrom(MEMBER_ID, events);

/** Applies an accepted decision's events; a refusal here is a broken test setup. */
export const after = (state: MemberState, decision: Decision<unknown, string, unknown>): MemberState => fold(state, accepted(decision).events);

/** The decision as an append; a refusal or a skip here is a broken test setup. */
export const accepted = <R>(decision: Decision<R, string, unknown>) => {
  if (decision.kind !== 'append') throw new Error(`expected an append, got ${decision.kind === 'reject' ? decision.code : 'nothing to do'}`);
  return decision;
};

export const earned = (lotId: string, points: number, expiresAt: string, options: { occurredAt?: string; availableAt?: string } = {}): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: MEMBER_ID,
  occurredAt: options.occurredAt ?? T0,
  data: {
    points,
    lotId,
    expiresAt,
    reason: 'purchase',
    tier: 'member',
    multiplier: 1,
    ruleIds: ['base'],
    ...(options.availableAt !== undefined ? { availableAt: options.availableAt } : {}),
  },
});

export const clawedBack = (points: number, fromLots: LotPortion[], debt = 0): NewLedgerEvent => ({
  type: 'points.clawed-back',
  memberId: MEMBER_ID,
  occurredAt: T0,
  data: { points, orderId: 'o-1', refundId: `r-${points}-${debt}`, fromLots, ...(debt > 0 ? { debt } : {}) },
});

export const tierChanged = (from: string, to: string): NewLedgerEvent => ({
  type: 'tier.changed',
  memberId: MEMBER_ID,
  occurredAt: T0,
  data: { from, to, qualifyingPoints: 0, reason: 'threshold-reached' },
});

export const RULES: RedeemRules = {
  redemption: { points: 100, valueMinor: 100, currency: 'CNY' },
  tiers: [
    { name: 'gold', threshold: 5000 },
    { name: 'member', threshold: 0 },
    { name: 'diamond', threshold: 20000 },
    { name: 'silver', threshold: 1000 },
  ],
  rewards: [
    { id: 'tea', points: 500 },
    { id: 'mug', points: 2000, minTier: 'gold' },
    { id: 'mooncake', points: 800, validFrom: '2026-09-01T00:00:00Z', validTo: '2026-10-01T00:00:00Z' },
  ],
};
