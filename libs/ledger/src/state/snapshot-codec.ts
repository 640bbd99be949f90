import { LotPortion } from '@tally/contracts';
import {
  DayCounts,
  HoldState,
  Lot,
  MemberState,
  NO_ENTRIES,
  OpenFlag,
  OrderState,
  TransferWindows,
  Velocity,
  keyed,
  keyedOrShared,
} from '@tally/member-ledger';

/**
 * How a folded state is stored in `member_snapshots`: records of lots, holds and orders as
 * arrays of their values instead of objects with names, and per-day counters as tuples. A
 * snapshot is written every few versions and read on every cache miss, so its size is paid on
 * both sides: this form is about half of the state's plain JSON.
 */
type PortionTuple = [string, number, string];
/** ..., availableAt (null when absent and a later field follows), 1 when an abuse flag holds the lot. */
type LotTuple = [string, number, number, number, string, 0 | 1, number, (string | null)?, 1?];
type HoldTuple = [string, number, string, string, PortionTuple[]];
type OrderTuple = [string, number, number, number, number, ...string[]];
/** day, earned, activities, and a 1 when the member checked in that day (left off otherwise, as on most days). */
type DayTuple = [string, number, Record<string, number>, 1?];

export interface StoredSnapshot {
  version: number;
  tier: string;
  tierFloor?: string;
  lastUpgradeAt?: string;
  debt: number;
  /** earned, redeemed, captured, expired, clawedBack, adjusted, reversed */
  totals: [number, number, number, number, number, number, number];
  lots: LotTuple[];
  holds: HoldTuple[];
  orders: OrderTuple[];
  checkIn: [string | null, number];
  referredBy?: string;
  daily: DayTuple[];
  activityYears: Record<string, number>;
  qualifying: [string, number][];
  /** As the state holds it: only members who transferred have it, and it is a few entries. */
  transfers?: TransferWindows;
  velocity?: Velocity;
  flags?: Record<string, OpenFlag>;
}

/** Every field of the state, so that a field added to it without a place here fails to compile. */
const STORED: Record<keyof MemberState, true> = {
  memberId: true,
  version: true,
  tier: true,
  tierFloor: true,
  lastUpgradeAt: true,
  lots: true,
  debt: true,
  totals: true,
  holds: true,
  orders: true,
  checkIn: true,
  referredBy: true,
  daily: true,
  activityYears: true,
  qualifying: true,
  transfers: true,
  velocity: true,
  flags: true,
};
void STORED;

const portions = (list: readonly LotPortion[]): PortionTuple[] => list.map((p) => [p.lotId, p.points, p.expiresAt]);
const fromPortions = (list: readonly PortionTuple[]): LotPortion[] => list.map(([lotId, points, expiresAt]) => ({ lotId, points, expiresAt }));

const lotTuple = (l: Lot): LotTuple => {
  const tuple: LotTuple = [l.lotId, l.points, l.remaining, l.held, l.expiresAt, l.pending ? 1 : 0, l.order];
  if (l.availableAt !== undefined || l.heldByFlag) tuple.push(l.availableAt ?? null);
  if (l.heldByFlag) tuple.push(1);
  return tuple;
};

const fromLotTuple = ([lotId, points, remaining, held, expiresAt, pending, order, availableAt, heldByFlag]: LotTuple): Lot => ({
  lotId,
  points,
  remaining,
  held,
  expiresAt,
  pending: pending === 1,
  order,
  ...(availableAt !== undefined && availableAt !== null ? { availableAt } : {}),
  ...(heldByFlag === 1 ? { heldByFlag: true as const } : {}),
});

const dayTuple = (day: string, d: DayCounts): DayTuple => {
  const tuple: DayTuple = [day, d.earned, d.activities];
  if (d.checkedIn) tuple.push(1);
  return tuple;
};

/** The same two shapes the fold makes: a day without a check-in has no `checkedIn` at all. */
const fromDayTuple = ([, earned, activities, checkedIn]: DayTuple): DayCounts =>
  checkedIn === 1 ? { earned, activities: keyedOrShared(activities), checkedIn: true } : { earned, activities: keyedOrShared(activities) };

const fromOrderTuple = ([, points, amountMinor, clawedBack, refundedMinor, ...refundIds]: OrderTuple): OrderState => ({
  points,
  amountMinor,
  clawedBack,
  refundedMinor,
  refundIds,
});

export const encodeSnapshot = (s: MemberState): StoredSnapshot => ({
  version: s.version,
  tier: s.tier,
  debt: s.debt,
  totals: [s.totals.earned, s.totals.redeemed, s.totals.captured, s.totals.expired, s.totals.clawedBack, s.totals.adjusted, s.totals.reversed],
  lots: Array.from(s.lots.values(), lotTuple),
  holds: Object.entries(s.holds).map(([id, h]): HoldTuple => [id, h.points, h.storeId, h.expiresAt, portions(h.fromLots)]),
  orders: Array.from(s.orders, ([id, o]): OrderTuple => [id, o.points, o.amountMinor, o.clawedBack, o.refundedMinor, ...o.refundIds]),
  checkIn: [s.checkIn.lastDay ?? null, s.checkIn.streak],
  daily: Array.from(s.daily, ([day, d]) => dayTuple(day, d)),
  activityYears: s.activityYears,
  qualifying: [...s.qualifying],
  ...(s.tierFloor !== undefined ? { tierFloor: s.tierFloor } : {}),
  ...(s.lastUpgradeAt !== undefined ? { lastUpgradeAt: s.lastUpgradeAt } : {}),
  ...(s.referredBy !== undefined ? { referredBy: s.referredBy } : {}),
  ...(s.transfers !== undefined ? { transfers: s.transfers } : {}),
  ...(s.velocity !== undefined ? { velocity: s.velocity } : {}),
  ...(s.flags !== undefined ? { flags: s.flags } : {}),
});

/** The state a stored snapshot stands for, its records keyed and ready to be folded into. */
export const decodeSnapshot = (memberId: string, stored: StoredSnapshot): MemberState => {
  const [earned, redeemed, captured, expired, clawedBack, adjusted, reversed] = stored.totals;
  const lots = new Map<string, Lot>();
  for (const tuple of stored.lots) lots.set(tuple[0], fromLotTuple(tuple));
  const holds = stored.holds.length === 0 ? (NO_ENTRIES as Record<string, HoldState>) : keyed<HoldState>();
  for (const [id, points, storeId, expiresAt, from] of stored.holds) holds[id] = { points, storeId, fromLots: fromPortions(from), expiresAt, status: 'open' };
  const orders = new Map<string, OrderState>();
  for (const tuple of stored.orders) orders.set(tuple[0], fromOrderTuple(tuple));
  const daily = new Map<string, DayCounts>();
  for (const tuple of stored.daily) daily.set(tuple[0], fromDayTuple(tuple));
  const qualifying = new Map(stored.qualifying);
  const [lastDay, streak] = stored.checkIn;
  return {
    memberId,
    version: stored.version,
    tier: stored.tier,
    lots,
    debt: stored.debt,
    totals: { earned, redeemed, captured, expired, clawedBack, adjusted, reversed },
    holds,
    orders,
    checkIn: lastDay === null ? { streak } : { lastDay, streak },
    daily,
    activityYears: keyedOrShared(stored.activityYears),
    qualifying,
    // Optional fields last: a spread followed by more keys is a slow path in V8 (see earnedEvent).
    ...(stored.tierFloor !== undefined ? { tierFloor: stored.tierFloor } : {}),
    ...(stored.lastUpgradeAt !== undefined ? { lastUpgradeAt: stored.lastUpgradeAt } : {}),
    ...(stored.referredBy !== undefined ? { referredBy: stored.referredBy } : {}),
    ...(stored.transfers !== undefined ? { transfers: stored.transfers } : {}),
    ...(stored.velocity !== undefined ? { velocity: stored.velocity } : {}),
    ...(stored.flags !== undefined ? { flags: stored.flags } : {}),
  };
};
