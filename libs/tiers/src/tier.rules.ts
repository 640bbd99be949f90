import { TierName } from '@tally/contracts';

export interface TierRule {
  name: TierName;
  /** Qualifying points needed to reach the tier; the lowest tier has 0. */
  threshold: number;
  /** The earn multiplier (used by earning; carried here so the program maps onto one shape). */
  multiplier: number;
}

/** Which qualifying points count: the last `days` days up to the evaluation day, or its calendar year. */
export type TierWindow = { kind: 'rolling-days'; days: number } | { kind: 'calendar-year' };

/** How far the daily evaluation lowers a tier: one tier at a time, or straight to the earned one. */
export type DowngradePolicy = 'one-step' | 'to-earned';

export interface TierRules {
  tiers: readonly TierRule[];
  window: TierWindow;
  downgrade: DowngradePolicy;
  /** No downgrade within this many days of the last upgrade (default program: 365). */
  minDaysAfterUpgrade: number;
}
