import { AbuseAction } from '@tally/contracts';

/**
 * A loyalty program: every rule number the services decide with. The built-in program is
 * `DEFAULT_PROGRAM`; a program file (`TALLY_PROGRAM`) may override any field.
 */
export interface Program {
  /** When the program began: an ISO-8601 instant with an offset. */
  startsAt: string;
  /**
   * Inputs whose `occurredAt` is before this instant are refused (`OCCURRED_BEFORE_PROGRAM`); the
   * program's start when absent. Earlier than the start, it accepts history from before the launch.
   */
  earliestOccurredAt?: string;
  /**
   * How many business days before a member's newest one an input may still be judged by rules
   * that look back (check-ins, daily caps, activity limits per day); an older one is refused
   * (`CHECK_IN_TOO_LATE`, `INPUT_TOO_LATE`). At most `MAX_LATE_INPUT_WINDOW_DAYS`.
   */
  lateInputWindowDays: number;
  /** IANA zone that defines a business day (check-ins, daily caps, activity limits, expiry ends). */
  timeZone: string;
  /** Accepted currencies; a purchase in any other currency is refused. */
  currencies: Record<string, CurrencyRate>;
  /** Lowest first; the first tier's threshold is 0. */
  tiers: TierRule[];
  /** Which earned points count as qualifying points for a tier. */
  tierWindow: TierWindow;
  downgrade: DowngradeRule;
  purchase: PurchaseRule;
  campaigns: Campaign[];
  refund: RefundRule;
  checkIn: CheckInRule;
  referral: ReferralRule;
  activities: ActivityRule[];
  expiry: ExpiryRule;
  redemption: RedemptionRule;
  rewards: Reward[];
  transfers: TransferRule;
  stepUp: StepUpRule;
  abuse: AbuseRules;
}

/**
 * Abuse rules against points farming (刷积分). A velocity rule: more than `max` inputs of a kind
 * from one member (for referrals, the referrer) in an hour or a day (UTC) flags the member. The
 * refund-after-redemption rule: a refund clawing back at least `minDebt` points the member had
 * already spent (the clawback leaves a debt) flags the member. `flag` records it for review;
 * `hold-earnings` keeps the member's new earnings pending until ops clears the flag;
 * `block-spending` refuses redemptions, holds and transfers until then. The store-points rule:
 * one store granting more than `max` points in an hour (UTC) flags the store (`flag` only: a store
 * has no points to hold or block). None by default.
 */
export type AbuseRule = VelocityRule | RefundAfterRedemptionRule | StorePointsRule;

export interface VelocityRule {
  id: string;
  input: 'purchase' | 'check-in' | 'referral';
  window: 'hour' | 'day';
  max: number;
  action: AbuseAction;
}

export interface StorePointsRule {
  id: string;
  input: 'store-points';
  window: 'hour';
  max: number;
  action: 'flag';
}

export interface RefundAfterRedemptionRule {
  id: string;
  input: 'refund-after-redemption';
  minDebt: number;
  action: AbuseAction;
}

export interface AbuseRules {
  rules: AbuseRule[];
}

/**
 * Step-up verification: a transfer (a redemption) of at least `transferThreshold`
 * (`redemptionThreshold`) points waits for a one-time code (202 with a challenge) while its points
 * are held. Off when the threshold is absent.
 */
export interface StepUpRule {
  transferThreshold?: number;
  redemptionThreshold?: number;
  codeTtlSeconds: number;
  maxAttempts: number;
}

/**
 * Points sharing between members (积分分享). Limits are in points; days are business days and
 * months calendar months of the program time zone. A limit left out is no limit.
 */
export interface TransferRule {
  enabled: boolean;
  /** The lowest tier that may send; every tier when absent. */
  minSenderTier?: string;
  maxPointsPerTransfer?: number;
  maxSentPerDay?: number;
  maxSentPerMonth?: number;
  maxReceivedPerDay?: number;
  maxReceivedPerMonth?: number;
  /** Distinct members one member may send to in a month. */
  maxRecipientsPerMonth?: number;
}

/** Base points: `floor(amountMinor * points / perMinorUnits)` (CNY: 1 point per 100 fen). */
export interface CurrencyRate {
  points: number;
  perMinorUnits: number;
}

export interface TierRule {
  name: string;
  /** Qualifying points from which a member holds this tier. */
  threshold: number;
  /** Multiplies purchase points (at most 4 decimal places, so points are computed exactly). */
  multiplier: number;
}

export type TierWindow = { kind: 'rolling-days'; days: number } | { kind: 'calendar-year' };

/** `one-step`: a downgrade drops one tier at a time; `to-earned`: straight to the tier the qualifying points earn. */
export type DowngradePolicy = 'one-step' | 'to-earned';

export interface DowngradeRule {
  policy: DowngradePolicy;
  minDaysAfterUpgrade: number;
}

/** When several campaigns match the same amount: the best multiplier wins, or all multiply together. */
export type CampaignCombination = 'best' | 'multiply';

export interface PurchaseRule {
  maxPointsPerEvent: number;
  /** Off when absent: at most this many points per member per business day from purchases. */
  dailyEarnCap?: number;
  /** Off when absent: purchase points stay pending this many days (a return window). */
  pendingDays?: number;
  campaignCombination: CampaignCombination;
}

/** A promotion: purchases with `occurredAt` in [start, end) earn `multiplier` times the points. */
export interface Campaign {
  id: string;
  name?: string;
  start: string;
  end: string;
  multiplier: number;
  /** Only purchases in these stores (an order without a store never matches). */
  storeIds?: string[];
  /** Only order lines of these categories; the rest of the order earns without this campaign. */
  categories?: string[];
}

/** `pro-rata`: a refund claws back its share of the order's points; `none`: refunds are recorded, nothing is clawed back. */
export type ClawbackMode = 'pro-rata' | 'none';

export interface RefundRule {
  clawBack: ClawbackMode;
}

export interface CheckInRule {
  points: number;
  /** A streak bonus is due on every `streakEvery`-th consecutive day. */
  streakEvery: number;
  streakBonus: number;
}

export interface ReferralRule {
  referrerPoints: number;
  refereePoints: number;
}

/** A member activity the program rewards (sign-up, birthday, review...), with optional limits. */
export interface ActivityRule {
  id: string;
  name?: string;
  points: number;
  maxPerDay?: number;
  /** Per calendar year of the business day. */
  maxPerYear?: number;
  maxLifetime?: number;
}

/**
 * When an earned lot expires, counted from its `occurredAt`:
 * `rolling-days`: exactly `days` days later; `end-of-month`: the last instant of the month `months`
 * months after the month it was earned in (0: that same month); `end-of-year-after-months`: the last
 * instant of the calendar year that contains the earning day plus `months` months.
 */
export type ExpiryPolicy =
  { kind: 'rolling-days'; days: number } | { kind: 'end-of-month'; months: number } | { kind: 'end-of-year-after-months'; months: number };

export interface ExpiryRule {
  policy: ExpiryPolicy;
  reminderDaysBefore: number;
}

/** As a cash deduction, `points` points are worth `valueMinor` minor units of `currency`. */
export interface RedemptionRule {
  points: number;
  valueMinor: number;
  currency: string;
}

export interface Reward {
  id: string;
  name: string;
  points: number;
  /** The lowest tier that may redeem it. */
  minTier?: string;
  /** Units available in total; unlimited when absent. */
  stock?: number;
  /** Redeemable in [validFrom, validTo). */
  validFrom?: string;
  validTo?: string;
}
