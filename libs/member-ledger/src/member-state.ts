import { AbuseAction, LotPortion } from '@tally/contracts';
import { TransferWindows } from './transfer-windows';
import { Velocity } from './velocity';

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
  /** Held pending by an open `hold-earnings` flag: not released, even when due, until ops clear the member's such flags. */
  heldByFlag?: true;
  /** Tie-break after `expiresAt`: the member version that opened the lot. */
  order: number;
}

/**
 * An open hold. A hold leaves the state once captured or released: who resolved it is in the log
 * and in the request's causation, and the state stays as small as what is still open.
 */
export interface HoldState {
  points: number;
  storeId: string;
  fromLots: LotPortion[];
  expiresAt: string;
  status: 'open';
}

export interface OrderState {
  points: number;
  amountMinor: number;
  clawedBack: number;
  /** Minor units refunded so far across the order's refunds. */
  refundedMinor: number;
  refundIds: string[];
}

export interface DayCounts {
  earned: number;
  activities: Record<string, number>;
  /**
   * The member checked in that day. Kept per day (not only the last day checked in) so that a
   * check-in a branch delivers late, after a later day's, can still be told apart from a second one.
   * Absent rather than false: most days have none, and they keep the smaller shape.
   */
  checkedIn?: true;
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

/**
 * Everything the rules need to know about one member, folded from the member's events. It is
 * kept in memory and in snapshots, so it holds what is open (lots, holds, debt) and bounded
 * windows, never a record per past redemption, resolved hold or order: those stay in the log
 * and its projections.
 */
export interface MemberState {
  memberId: string;
  version: number;
  tier: string;
  tierFloor?: string;
  lastUpgradeAt?: string;
  /** By lot id. */
  lots: Map<string, Lot>;
  /** Points clawed back that no lot covered; repaid from the next available points. */
  debt: number;
  totals: Totals;
  /** Open holds only. */
  holds: Record<string, HoldState>;
  /**
   * Orders the decision at hand may need: the ledger loads the orders a command names (a
   * purchase's, a refund's) from their projection before deciding, and keeps none between
   * decisions, so the state does not grow with every purchase a member ever made. A fold over a
   * whole history (a replay) holds every order of the member.
   */
  orders: Map<string, OrderState>;
  /** The newest business day checked in and its streak: it only moves forward (see `daily` for earlier days). */
  checkIn: { lastDay?: string; streak: number };
  referredBy?: string;
  /** Per business day with activity, the last `DAILY_DAYS_KEPT` or so: points earned (daily caps), activity counts, check-ins. */
  daily: Map<string, DayCounts>;
  /** Per `activity@year`: how often an activity was rewarded that year (e.g. birthday once a year). */
  activityYears: Record<string, number>;
  /** Per UTC day of `occurredAt`: qualifying points (earned except adjustments, minus clawbacks). */
  qualifying: Map<string, number>;
  /** Absent for members who never sent or received a transfer (most). */
  transfers?: TransferWindows;
  /** Purchases, check-ins and referrals in the newest hour and day: what abuse rules count. */
  velocity?: Velocity;
  /** Open abuse flags by flag id (absent for almost every member). */
  flags?: Readonly<Record<string, OpenFlag>>;
}

/** A flag an abuse rule raised that ops have not cleared yet. */
export interface OpenFlag {
  ruleId: string;
  action: AbuseAction;
}

export const DEFAULT_TIER = 'member';

/**
 * A record keyed by a few keys (holds, activity years): created without a prototype, which V8
 * keeps as a hash table from the start. An object literal given a new random key at a time builds
 * a new hidden class per key instead: about ten times slower per insert, and garbage for the GC.
 * Collections written on most events (lots, orders, days) are Maps: an object's key is interned
 * in V8's string table on every access with a fresh string, which made a replay's fold spend 2 us
 * per lot there (a Map: 0.4), and a Map knows its size without listing its keys.
 */
export const keyed = <T>(from?: Readonly<Record<string, T>>): Record<string, T> =>
  from ? Object.assign(Object.create(null) as Record<string, T>, from) : (Object.create(null) as Record<string, T>);

/**
 * The one empty record every state without holds or activity years (and every day without counted
 * activities) points at. Most members never have either, and a keyed record of its own cost each
 * cached state two objects and about 290 bytes (a hash table from the start), kept alive and marked
 * by every full collection: 55 MB of 94k cached states. Frozen, so a write that does not go through
 * a fold's copy (`MemberFold.own`) throws instead of reaching every member.
 */
export const NO_ENTRIES: Readonly<Record<string, never>> = Object.freeze(Object.create(null) as Record<string, never>);

/** A keyed record of these entries, or the shared empty one when there are none. */
export const keyedOrShared = <T>(from: Readonly<Record<string, T>>): Record<string, T> =>
  Object.keys(from).length > 0 ? keyed(from) : (NO_ENTRIES as Record<string, T>);

/** A check-in streak nobody started: replaced, never changed, by the first check-in. */
export const NO_CHECK_IN: MemberState['checkIn'] = Object.freeze({ streak: 0 });

export const initialMemberState = (memberId: string): MemberState => ({
  memberId,
  version: 0,
  tier: DEFAULT_TIER,
  lots: new Map(),
  debt: 0,
  totals: { earned: 0, redeemed: 0, captured: 0, expired: 0, clawedBack: 0, adjusted: 0, reversed: 0 },
  holds: NO_ENTRIES,
  orders: new Map(),
  checkIn: NO_CHECK_IN,
  daily: new Map(),
  activityYears: NO_ENTRIES,
  qualifying: new Map(),
});
