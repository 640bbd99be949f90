import { LotPortion } from '@tally/contracts';
import { DayCounts, HoldState, Lot, MemberState, NO_CHECK_IN, NO_ENTRIES, OrderState, keyed } from '../member-state';
import { CompactReader, CompactWriter } from './compact-text';

/**
 * A member state in a compact text (see CompactWriter): what a process keeps of the members it
 * folded last, decoded when one is used again. Instants and days are numbers, lots and days are
 * runs of values without names, and the whole state is one string: a folded state is a few
 * dozen objects (a lot, its id and expiry, map tables, days), each traced by every collection.
 * Reading gives back an equal state of the shapes the fold makes, the shared empty records
 * included, so deciding on it is deciding on the state it was written from.
 */

/** Bits of the optional parts present in a state. */
const TIER_FLOOR = 1;
const LAST_UPGRADE = 2;
const REFERRED_BY = 4;
const TRANSFERS = 8;
const VELOCITY = 16;
const FLAGS = 32;
const OTHER_MEMBER_ID = 64;

/** Bits of a lot. */
const PENDING = 1;
const AVAILABLE_AT = 2;
const OTHER_KEY = 4;

/** Velocity keys by number: the inputs and windows abuse rules count (any other key is written out). */
const VELOCITY_KEYS = ['purchase:hour', 'purchase:day', 'check-in:hour', 'check-in:day', 'referral:hour', 'referral:day'];

const writeRecord = (w: CompactWriter, record: Readonly<Record<string, number>>): void => {
  const keys = Object.keys(record);
  w.uint(keys.length);
  for (const key of keys) {
    w.string(key);
    w.number(record[key]);
  }
};

const readRecord = (r: CompactReader, count = r.uint()): Record<string, number> => {
  if (count === 0) return NO_ENTRIES;
  const record = keyed<number>();
  for (let i = 0; i < count; i++) record[r.string()] = r.number();
  return record;
};

const writePortions = (w: CompactWriter, portions: readonly LotPortion[]): void => {
  w.uint(portions.length);
  for (const p of portions) {
    w.string(p.lotId);
    w.number(p.points);
    w.instant(p.expiresAt);
  }
};

const readPortions = (r: CompactReader): LotPortion[] => {
  const portions: LotPortion[] = [];
  for (let n = r.uint(); n > 0; n--) portions.push({ lotId: r.string(), points: r.number(), expiresAt: r.instant() });
  return portions;
};

const writeLots = (w: CompactWriter, lots: ReadonlyMap<string, Lot>): void => {
  w.uint(lots.size);
  for (const [key, lot] of lots) {
    w.uint((lot.pending ? PENDING : 0) | (lot.availableAt !== undefined ? AVAILABLE_AT : 0) | (key !== lot.lotId ? OTHER_KEY : 0));
    w.string(lot.lotId);
    if (key !== lot.lotId) w.string(key);
    w.number(lot.points);
    w.number(lot.remaining);
    w.number(lot.held);
    w.instant(lot.expiresAt);
    w.number(lot.order);
    if (lot.availableAt !== undefined) w.instant(lot.availableAt);
  }
};

/** Lots of the two shapes the fold makes (see onEarned). */
const readLots = (r: CompactReader): Map<string, Lot> => {
  const lots = new Map<string, Lot>();
  for (let n = r.uint(); n > 0; n--) {
    const bits = r.uint();
    const lotId = r.string();
    const key = bits & OTHER_KEY ? r.string() : lotId;
    const points = r.number();
    const remaining = r.number();
    const held = r.number();
    const expiresAt = r.instant();
    const pending = (bits & PENDING) !== 0;
    const order = r.number();
    const lot: Lot =
      bits & AVAILABLE_AT
        ? { lotId, points, remaining, held, expiresAt, pending, order, availableAt: r.instant() }
        : { lotId, points, remaining, held, expiresAt, pending, order };
    lots.set(key, lot);
  }
  return lots;
};

const writeHolds = (w: CompactWriter, holds: Readonly<Record<string, HoldState>>): void => {
  const ids = Object.keys(holds);
  w.uint(ids.length);
  for (const id of ids) {
    const hold = holds[id];
    w.string(id);
    w.number(hold.points);
    w.string(hold.storeId);
    w.instant(hold.expiresAt);
    writePortions(w, hold.fromLots);
  }
};

const readHolds = (r: CompactReader): Record<string, HoldState> => {
  const count = r.uint();
  if (count === 0) return NO_ENTRIES;
  const holds = keyed<HoldState>();
  for (let i = 0; i < count; i++) {
    const id = r.string();
    const points = r.number();
    const storeId = r.string();
    const expiresAt = r.instant();
    holds[id] = { points, storeId, fromLots: readPortions(r), expiresAt, status: 'open' };
  }
  return holds;
};

const writeOrders = (w: CompactWriter, orders: ReadonlyMap<string, OrderState>): void => {
  w.uint(orders.size);
  for (const [id, o] of orders) {
    w.string(id);
    w.number(o.points);
    w.number(o.amountMinor);
    w.number(o.clawedBack);
    w.number(o.refundedMinor);
    w.uint(o.refundIds.length);
    for (const refundId of o.refundIds) w.string(refundId);
  }
};

const readOrders = (r: CompactReader): Map<string, OrderState> => {
  const orders = new Map<string, OrderState>();
  for (let n = r.uint(); n > 0; n--) {
    const id = r.string();
    const points = r.number();
    const amountMinor = r.number();
    const clawedBack = r.number();
    const refundedMinor = r.number();
    const refundIds: string[] = [];
    for (let k = r.uint(); k > 0; k--) refundIds.push(r.string());
    orders.set(id, { points, amountMinor, clawedBack, refundedMinor, refundIds });
  }
  return orders;
};

/** Each day: its counts, then its activities' count doubled, plus one when checked in. */
const writeDaily = (w: CompactWriter, daily: ReadonlyMap<string, DayCounts>): void => {
  w.uint(daily.size);
  for (const [day, counts] of daily) {
    w.day(day);
    w.number(counts.earned);
    const names = Object.keys(counts.activities);
    w.uint(names.length * 2 + (counts.checkedIn ? 1 : 0));
    for (const name of names) {
      w.string(name);
      w.number(counts.activities[name]);
    }
  }
};

const readDaily = (r: CompactReader): Map<string, DayCounts> => {
  const daily = new Map<string, DayCounts>();
  for (let n = r.uint(); n > 0; n--) {
    const day = r.day();
    const earned = r.number();
    const counts = r.uint();
    const activities = readRecord(r, Math.floor(counts / 2));
    daily.set(day, counts % 2 === 1 ? { earned, activities, checkedIn: true } : { earned, activities });
  }
  return daily;
};

const writeQualifying = (w: CompactWriter, qualifying: ReadonlyMap<string, number>): void => {
  w.uint(qualifying.size);
  for (const [day, points] of qualifying) {
    w.day(day);
    w.number(points);
  }
};

const readQualifying = (r: CompactReader): Map<string, number> => {
  const qualifying = new Map<string, number>();
  for (let n = r.uint(); n > 0; n--) qualifying.set(r.day(), r.number());
  return qualifying;
};

const writeVelocity = (w: CompactWriter, velocity: NonNullable<MemberState['velocity']>): void => {
  const keys = Object.keys(velocity);
  w.uint(keys.length);
  for (const key of keys) {
    const known = VELOCITY_KEYS.indexOf(key);
    w.uint(known + 1);
    if (known < 0) w.string(key);
    w.string(velocity[key][0]);
    w.number(velocity[key][1]);
  }
};

const readVelocity = (r: CompactReader): NonNullable<MemberState['velocity']> => {
  const velocity = keyed<readonly [string, number]>();
  for (let n = r.uint(); n > 0; n--) {
    const known = r.uint();
    const key = known === 0 ? r.string() : VELOCITY_KEYS[known - 1];
    velocity[key] = [r.string(), r.number()];
  }
  return velocity;
};

const optionalBits = (s: MemberState, memberId: string): number =>
  (s.tierFloor !== undefined ? TIER_FLOOR : 0) |
  (s.lastUpgradeAt !== undefined ? LAST_UPGRADE : 0) |
  (s.referredBy !== undefined ? REFERRED_BY : 0) |
  (s.transfers !== undefined ? TRANSFERS : 0) |
  (s.velocity !== undefined ? VELOCITY : 0) |
  (s.flags !== undefined ? FLAGS : 0) |
  (s.memberId !== memberId ? OTHER_MEMBER_ID : 0);

/** Writes a state, whose member id is `memberId` (the key it is kept under, so not written again). */
export const writeMemberState = (w: CompactWriter, s: MemberState, memberId: string): void => {
  w.number(s.version);
  const bits = optionalBits(s, memberId);
  w.uint(bits);
  if (bits & OTHER_MEMBER_ID) w.string(s.memberId);
  w.string(s.tier);
  w.number(s.debt);
  const t = s.totals;
  w.number(t.earned);
  w.number(t.redeemed);
  w.number(t.captured);
  w.number(t.expired);
  w.number(t.clawedBack);
  w.number(t.adjusted);
  w.number(t.reversed);
  writeLots(w, s.lots);
  writeHolds(w, s.holds);
  writeOrders(w, s.orders);
  w.uint(s.checkIn.lastDay === undefined ? 0 : 1);
  if (s.checkIn.lastDay !== undefined) w.day(s.checkIn.lastDay);
  w.number(s.checkIn.streak);
  writeDaily(w, s.daily);
  writeRecord(w, s.activityYears);
  writeQualifying(w, s.qualifying);
  if (s.tierFloor !== undefined) w.string(s.tierFloor);
  if (s.lastUpgradeAt !== undefined) w.instant(s.lastUpgradeAt);
  if (s.referredBy !== undefined) w.string(s.referredBy);
  // Rare, and only ever replaced whole by the fold: kept as their JSON.
  if (s.transfers !== undefined) w.string(JSON.stringify(s.transfers));
  if (s.velocity !== undefined) writeVelocity(w, s.velocity);
  if (s.flags !== undefined) w.string(JSON.stringify(s.flags));
};

const readCheckIn = (r: CompactReader): MemberState['checkIn'] => {
  const lastDay = r.uint() === 1 ? r.day() : undefined;
  const streak = r.number();
  if (lastDay !== undefined) return { lastDay, streak };
  return streak === 0 ? NO_CHECK_IN : { streak };
};

/** The state `writeMemberState` wrote, of the member kept under `memberId`. */
export const readMemberState = (r: CompactReader, memberId: string): MemberState => {
  const version = r.number();
  const bits = r.uint();
  const id = bits & OTHER_MEMBER_ID ? r.string() : memberId;
  const tier = r.string();
  const debt = r.number();
  const totals = {
    earned: r.number(),
    redeemed: r.number(),
    captured: r.number(),
    expired: r.number(),
    clawedBack: r.number(),
    adjusted: r.number(),
    reversed: r.number(),
  };
  const state: MemberState = {
    memberId: id,
    version,
    tier,
    lots: readLots(r),
    debt,
    totals,
    holds: readHolds(r),
    orders: readOrders(r),
    checkIn: readCheckIn(r),
    daily: readDaily(r),
    activityYears: readRecord(r),
    qualifying: readQualifying(r),
  };
  if (bits & TIER_FLOOR) state.tierFloor = r.string();
  if (bits & LAST_UPGRADE) state.lastUpgradeAt = r.instant();
  if (bits & REFERRED_BY) state.referredBy = r.string();
  if (bits & TRANSFERS) state.transfers = JSON.parse(r.string());
  if (bits & VELOCITY) state.velocity = readVelocity(r);
  if (bits & FLAGS) state.flags = JSON.parse(r.string());
  return state;
};
