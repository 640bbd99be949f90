import { TierName } from '@tally/contracts';

/*
 * The slices of the program the redemption rules read. Their field names follow the program file's,
 * so the service can pass the loaded program as it is (it satisfies `RedeemRules` structurally).
 */

/** As a cash deduction, `points` points are worth `valueMinor` minor units of `currency` (default: 100 = 1.00 CNY). */
export interface RedemptionRate {
  points: number;
  valueMinor: number;
  currency: string;
}

/** One reward of the catalog as the rules need it; stock is global and enforced by the service. */
export interface RewardRule {
  id: string;
  /** The reward's price in points. */
  points: number;
  /** The lowest tier that may redeem it; absent means every member. */
  minTier?: TierName;
  /** Redeemable in [validFrom, validTo) on the redemption's time; an open end when absent. */
  validFrom?: string;
  validTo?: string;
}

export interface RedeemRules {
  redemption: RedemptionRate;
  rewards: readonly RewardRule[];
  /** The tiers, whose thresholds order them: a reward's `minTier` is judged by that order. */
  tiers: readonly { name: TierName; threshold: number }[];
}

/** Tier names from lowest to highest threshold. */
export const tierOrderOf = (rules: Pick<RedeemRules, 'tiers'>): TierName[] =>
  [...rules.tiers].sort((a, b) => a.threshold - b.threshold).map((tier) => tier.name);
