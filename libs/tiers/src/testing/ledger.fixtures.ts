import { EarnReason, NewLedgerEvent } from '@tally/contracts';
import { FAR, clawedBackEvent, earnedEvent, tierChangedEvent } from '@tally/member-ledger/testing';
import { TierRules } from '../tier.rules';

export { MEMBER_ID, after, eventsOf, fold, given } from '@tally/member-ledger/testing';

/** Test support of the tier rules, on the shared member fixtures. */
let lots = 0;

export const earnedAt = (occurredAt: string, points: number, reason: EarnReason = 'purchase'): NewLedgerEvent =>
  earnedEvent({ lotId: `lot-${++lots}`, points, occurredAt, reason, orderId: 'o-1' });

export const clawedBackAt = (occurredAt: string, points: number, lotId: string): NewLedgerEvent =>
  clawedBackEvent(occurredAt, [{ lotId, points, expiresAt: FAR }], `r-${++lots}`);

export const tierChangedAt = tierChangedEvent;

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
