import { TierName } from '@tally/contracts';

/*
 * The slices of the program the tier rules read. Their field names follow the program file's, so
 * the service can pass the loaded program as it is (it satisfies `TierRules` structurally).
 */

export interface TierRule {
  name: TierName;
  /** Qualifying points from which a member holds the tier; the lowest tier has 0. */
  threshold: number;
}

/** Which qualifying points count: the last `days` UTC days up to the evaluation day, or its calendar year. */
export type TierWindow = { kind: 'rolling-days'; days: number } | { kind: 'calendar-year' };

/** How far the daily evaluation lowers a tier: one tier at a time, or straight to the earned one. */
export type DowngradePolicy = 'one-step' | 'to-earned';

export interface TierRules {
  tiers: readonly TierRule[];
  tierWindow: TierWindow;
  downgrade: {
    policy: DowngradePolicy;
    /** No downgrade within this many days of the last upgrade (default program: 365). */
    minDaysAfterUpgrade: number;
  };
}
