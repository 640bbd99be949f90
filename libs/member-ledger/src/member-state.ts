import { LotPortion } from '@tally/contracts';

/** A lot: the points of one earning, spent soonest-expiring first and expired only for what is left. */
export interface Lot {
  lotId: string;
  points: number;
  /** Not yet spent, clawed back or expired; includes what holds reserve. */
  remaining: number;
  /** Reserved by open holds: still in `remaining`, not spendable. */
  held: number;
  expiresAt: string;
  /** Pending lots count as `pending` until released. */
  pending: boolean;
  /** When a pending lot is due for release. */
  availableAt?: string;
  /** Tie-break after `expiresAt`: the member version that opened the lot. */
  order: number;
}

export interface HoldState {
  points: number;
  storeId: string;
  fromLots: LotPortion[];
  expiresAt: string;
  status: 'open' | 'captured' | 'released';
  capturedPoints: number;
}

export interface RedemptionState {
  points: number;
  storeId: string;
  rewardId?: string;
  fromLots: LotPortion[];
  reversed: boolean;
}

export interface OrderState {
  points: number;
  amountMinor: number;
  clawedBack: number;
  /** Minor units refunded so far across the order's refunds. */
  refundedMinor: number;
  refundIds: string[];
}

export interface Totals {
  earned: number;
  redeemed: number;
  captured: number;
  expired: number;
  clawedBack: number;
  adjusted: number;
  reversed: number;
}

/** Everything the rules need to know about one member, folded from the member's events. */
export interface MemberState {
  memberId: string;
  version: number;
  tier: string;
  tierFloor?: string;
  lastUpgradeAt?: string;
  lots: Record<string, Lot>;
  /** Points clawed back that no lot covered; repaid from the next available points. */
  debt: number;
  totals: Totals;
  holds: Record<string, HoldState>;
  redemptions: Record<string, RedemptionState>;
  orders: Record<string, OrderState>;
  checkIn: { lastDay?: string; streak: number };
  referredBy?: string;
  /** Per business day: points earned (daily caps) and activity counts. */
  daily: Record<string, { earned: number; activities: Record<string, number> }>;
  /** Per `activity@year`: how often an activity was rewarded that year (e.g. birthday once a year). */
  activityYears: Record<string, number>;
  /** Per UTC day of `occurredAt`: qualifying points (earned except adjustments, minus clawbacks). */
  qualifying: Record<string, number>;
}

export const DEFAULT_TIER = 'member';

export const initialMemberState = (memberId: string): MemberState => ({
  memberId,
  version: 0,
  tier: DEFAULT_TIER,
  lots: {},
  debt: 0,
  totals: { earned: 0, redeemed: 0, captured: 0, expired: 0, clawedBack: 0, adjusted: 0, reversed: 0 },
  holds: {},
  redemptions: {},
  orders: {},
  checkIn: { streak: 0 },
  daily: {},
  activityYears: {},
  qualifying: {},
});
