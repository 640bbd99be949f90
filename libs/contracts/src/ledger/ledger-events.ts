/** A slice of one lot taken by a spend, or put back by a reversal or release. */
export interface LotPortion {
  lotId: string;
  points: number;
  /** The lot's expiry, carried so a portion put back reopens the lot exactly as it was. */
  expiresAt: string;
}

export type EarnReason = 'purchase' | 'check-in' | 'check-in-streak' | 'referral' | 'referral-welcome' | 'activity' | 'adjustment';

export type TierName = string;

export interface PointsEarned {
  points: number;
  lotId: string;
  expiresAt: string;
  /** Pending until then: the points count as `pending`, not `available`. */
  availableAt?: string;
  reason: EarnReason;
  storeId?: string;
  orderId?: string;
  /** The order's amount in minor units: refunds claw back pro rata against it. */
  orderAmountMinor?: number;
  tier: TierName;
  multiplier: number;
  ruleIds: string[];
  /** Business day of `occurredAt` in the program time zone, as decided (caps, check-ins). */
  day?: string;
  activity?: string;
  referrerId?: string;
  refereeId?: string;
  /** Check-in streak length including this day (check-in events only). */
  streak?: number;
  /**
   * An open `hold-earnings` abuse flag (this id) keeps the points pending until ops clear every
   * such flag of the member; `availableAt`, if any, still applies after that.
   */
  heldByFlag?: string;
}

export interface PointsReleased {
  lotId: string;
  points: number;
}

export interface PointsClawedBack {
  points: number;
  orderId: string;
  refundId: string;
  fromLots: LotPortion[];
  /** Points that no lot could cover: they become debt (available below zero). */
  debt?: number;
  /** The refund's amount in minor units: clawback is decided on the order's cumulative refunds. */
  refundedMinor?: number;
}

export interface PointsRedeemed {
  points: number;
  redemptionId: string;
  storeId: string;
  rewardId?: string;
  fromLots: LotPortion[];
  valueMinor?: number;
  currency?: string;
}

export interface PointsHeld {
  holdId: string;
  points: number;
  storeId: string;
  fromLots: LotPortion[];
  expiresAt: string;
}

export interface HoldCaptured {
  holdId: string;
  points: number;
  fromLots: LotPortion[];
  redemptionId?: string;
}

export interface HoldReleased {
  holdId: string;
  points: number;
  fromLots: LotPortion[];
  reason: 'released' | 'expired' | 'partial-capture';
}

export interface RedemptionReversed {
  redemptionId: string;
  points: number;
  toLots: LotPortion[];
}

export interface PointsExpired {
  lotId: string;
  points: number;
}

export interface PointsAdjusted {
  points: number;
  actor: string;
  reason: string;
  /** A positive adjustment opens a lot; a negative one spends like a clawback. */
  lotId?: string;
  expiresAt?: string;
  fromLots?: LotPortion[];
  /** The free text ops gave beside the reason. */
  note?: string;
  /** The caller's idempotency key (`POST /ops/members/{id}/adjustments`). */
  adjustmentId?: string;
  /** What the lots could not cover, booked as debt because ops asked for it. */
  debt?: number;
}

export interface TierChanged {
  from: TierName;
  to: TierName;
  qualifyingPoints: number;
  reason: string;
  /** A tier set by ops is a floor the daily evaluation never goes below. */
  floor?: TierName;
  /** Who set an ops floor, and the note they gave: audits ask who changed a tier and why. */
  actor?: string;
  note?: string;
}

/**
 * The sender's side of a transfer (积分分享): points leave the sender's lots, soonest-expiring first.
 * `day` is the business day of the decision: the sender's daily and monthly limits count by it.
 */
export interface PointsTransferred {
  transferId: string;
  points: number;
  toMemberId: string;
  fromLots: LotPortion[];
  day: string;
  note?: string;
}

/**
 * The recipient's side of a transfer: one new lot per portion the sender gave, each keeping the
 * expiry of the lot it came from (sharing never extends a point's life).
 */
export interface PointsReceived {
  transferId: string;
  points: number;
  fromMemberId: string;
  toLots: LotPortion[];
  day: string;
  note?: string;
}

/**
 * An ops correction of a transfer, one event on each side: the sender's points go back into the
 * lots they came from (`toLots`); the recipient's are taken back (`fromLots`, the received lots
 * first), and what no lot covers becomes debt, as a clawback's does.
 */
export interface TransferReversed {
  transferId: string;
  points: number;
  actor: string;
  toLots?: LotPortion[];
  fromLots?: LotPortion[];
  debt?: number;
  note?: string;
}

/** What a velocity rule saw: the input kind counted, in which window, how many against the rule's maximum. */
export interface VelocityEvidence {
  input: 'purchase' | 'check-in' | 'referral';
  window: 'hour' | 'day';
  /** The window's start (UTC), e.g. `2026-12-07T10` for an hour, `2026-12-07` for a day. */
  period: string;
  count: number;
  max: number;
  /** The input that crossed the maximum. */
  eventId: string;
}

/**
 * What the refund-after-redemption rule saw: a refund clawed back points the member had already
 * spent (redeemed, captured or transferred), so the clawback left a debt.
 */
export interface RefundAfterRedemptionEvidence {
  input: 'refund-after-redemption';
  orderId: string;
  refundId: string;
  clawedBack: number;
  /** Points of the clawback no open lot covered: spent before the refund came. */
  debt: number;
  /** The member's lifetime redeemed and captured points when the refund came. */
  spent: number;
  /** The refund input. */
  eventId: string;
}

export type AbuseEvidence = VelocityEvidence | RefundAfterRedemptionEvidence;

/** What a flag does until ops clear it: only recorded, new earnings held pending, or spending refused. */
export type AbuseAction = 'flag' | 'hold-earnings' | 'block-spending';

/**
 * An abuse rule flagged the member ("刷积分" monitoring). `block-spending` refuses redemptions, holds
 * and transfers until ops clears the flag; `hold-earnings` keeps new earnings pending until then;
 * `flag` only records it for review.
 */
export interface MemberFlagged {
  flagId: string;
  ruleId: string;
  action: AbuseAction;
  evidence: AbuseEvidence;
}

/** Ops reviewed a flag and cleared it. */
export interface FlagCleared {
  flagId: string;
  ruleId: string;
  actor: string;
  note?: string;
}

/** Every ledger event type and its data: the one place a new type is added. */
export interface LedgerEventDataMap {
  'points.earned': PointsEarned;
  'points.released': PointsReleased;
  'points.clawed-back': PointsClawedBack;
  'points.redeemed': PointsRedeemed;
  'points.held': PointsHeld;
  'hold.captured': HoldCaptured;
  'hold.released': HoldReleased;
  'redemption.reversed': RedemptionReversed;
  'points.expired': PointsExpired;
  'points.adjusted': PointsAdjusted;
  'tier.changed': TierChanged;
  'points.transferred': PointsTransferred;
  'points.received': PointsReceived;
  'transfer.reversed': TransferReversed;
  'member.flagged': MemberFlagged;
  'flag.cleared': FlagCleared;
}

export type LedgerEventType = keyof LedgerEventDataMap;

export const LEDGER_EVENT_TYPES: readonly LedgerEventType[] = [
  'points.earned',
  'points.released',
  'points.clawed-back',
  'points.redeemed',
  'points.held',
  'hold.captured',
  'hold.released',
  'redemption.reversed',
  'points.expired',
  'points.adjusted',
  'tier.changed',
  'points.transferred',
  'points.received',
  'transfer.reversed',
  'member.flagged',
  'flag.cleared',
];

/** An event as a decider emits it: what happened to whom and when, before the ledger stores it. */
export type NewLedgerEvent = {
  [K in LedgerEventType]: { type: K; memberId: string; occurredAt: string; data: LedgerEventDataMap[K] };
}[LedgerEventType];

/** What the log adds to an event when it stores it; the relayed message carries all of it. */
export interface StoredEventFields {
  position: string;
  version: number;
  eventId: string;
  recordedAt: string;
  causationId: string;
  hash: string;
}

/** An event as stored in the log. */
export type LedgerEvent = NewLedgerEvent & StoredEventFields & { prevHash: string };
