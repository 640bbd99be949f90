import { TierName } from '@tally/contracts';

/**
 * What points are worth as a cash deduction: `points` points = `valueMinor` minor units of `currency`
 * (the default program: 100 points = 100 fen = 1.00 CNY). The service maps the program file onto it.
 */
export interface RedemptionRate {
  points: number;
  valueMinor: number;
  currency: string;
}

/** One reward of the catalog as the rules need it; stock is global and enforced by the service. */
export interface RewardRule {
  rewardId: string;
  /** The reward's price in points. */
  points: number;
  /** The lowest tier that may redeem it; absent means every member. */
  minTier?: TierName;
  /** Validity window [availableFrom, availableUntil) on the redemption's time; an open end when absent. */
  availableFrom?: string;
  availableUntil?: string;
}

export interface RedeemRules {
  rate: RedemptionRate;
  rewards: readonly RewardRule[];
  /** Tier names from lowest to highest. */
  tierOrder: readonly TierName[];
}
