import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { clawedBackEvent, earnedEvent, tierChangedEvent } from '@tally/member-ledger/testing';
import { RedeemRules } from '../redemption.rules';

export { MEMBER_ID, accepted, after, fold, given } from '@tally/member-ledger/testing';

/** Test support of the redemption rules, on the shared member fixtures. */
export const T0 = '2026-01-10T08:00:00.000Z';

export const earned = (lotId: string, points: number, expiresAt: string, options: { occurredAt?: string; availableAt?: string } = {}): NewLedgerEvent =>
  earnedEvent({ lotId, points, expiresAt, occurredAt: options.occurredAt ?? T0, availableAt: options.availableAt });

export const clawedBack = (points: number, fromLots: LotPortion[], debt = 0): NewLedgerEvent => clawedBackEvent(T0, fromLots, `r-${points}-${debt}`, debt);

export const tierChanged = (from: string, to: string): NewLedgerEvent => tierChangedEvent(T0, from, to);

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
