import { LedgerEventDataMap, NewLedgerEvent, addDays, utcDay } from '@tally/contracts';
import { applyPortions, capture, closeEmptyLots, isEmptied, repayDebt, reserve, restore, spend, unreserve } from './lots';
import { Lot, MemberState, NO_ENTRIES, initialMemberState, keyed } from './member-state';
import { countTransfer } from './transfer-windows';
import { OwnedVelocity, countInputInto, ownVelocity, velocityInputOf } from './velocity';

/**
 * Days of per-day counters kept, counted back from the newest day: the longest late-input window a
 * program may set, so that whichever window it sets every day in it is known. A fixed number, not
 * the program's window: a state is a fold of the log alone, the same whatever the program (replay,
 * snapshots), and a window made longer later finds its days still there. Only days with activity
 * have an entry, so a member active on few days keeps few.
 */
export const DAILY_DAYS_KEPT = 400;
/** Days of qualifying points kept: the longest tier window plus slack. */
const QUALIFYING_DAYS_KEPT = 400;

/** The parts of a state held by reference: a fold copies one before its first write to it. */
type Collection = 'lots' | 'totals' | 'holds' | 'orders' | 'daily' | 'activityYears' | 'qualifying';

const NOTHING: ReadonlySet<string> = new Set();

/**
 * A state being folded, event after event. The fold writes into a state of its own: it copies
 * the top level once, and each collection the first time it writes to it, so the state it started
 * from is never changed (values inside collections, such as lots, are replaced, never changed).
 * A fold that starts from a state nobody else holds (`MemberFold.owning`) copies nothing at all:
 * a replay folds every event in the log at the cost of the event, not of the member's size.
 */
export class MemberFold {
  readonly state: MemberState;
  // Made on first use: an append makes a fold per member of its batch, and most change no hold
  // and many no order; three sets per member and batch were among an append's largest allocations.
  private lotSet?: Set<string>;
  private holdSet?: Set<string>;
  private orderSet?: Set<string>;
  private readonly owned: Set<Collection> | 'all';
  private velocityOwned = false;

  private constructor(state: MemberState, owned: Set<Collection> | 'all') {
    this.state = state;
    this.owned = owned;
  }

  /** A fold over a state others may still hold: it stays as it is. */
  static from(state: MemberState): MemberFold {
    return new MemberFold({ ...state }, new Set());
  }

  /** A fold over a state the caller hands over (new, or just read): it is folded in place. */
  static owning(state: MemberState): MemberFold {
    return new MemberFold(state, 'all');
  }

  /** Folds one event (at its member version) into the state. */
  apply(event: NewLedgerEvent, version: number): this {
    apply(this, event, version);
    this.state.version = version;
    return this;
  }

  /** Lots, holds and orders this fold added, changed or closed: the rows a projection has to rewrite. */
  get changedLots(): ReadonlySet<string> {
    return this.lotSet ?? NOTHING;
  }

  get changedHolds(): ReadonlySet<string> {
    return this.holdSet ?? NOTHING;
  }

  get changedOrders(): ReadonlySet<string> {
    return this.orderSet ?? NOTHING;
  }

  lotChanged(lotId: string): void {
    (this.lotSet ??= new Set()).add(lotId);
  }

  holdChanged(holdId: string): void {
    (this.holdSet ??= new Set()).add(holdId);
  }

  orderChanged(orderId: string): void {
    (this.orderSet ??= new Set()).add(orderId);
  }

  /**
   * The abuse counts, for this fold to change in place: copied once per fold (not per event), and
   * not at all when the fold owns the state.
   */
  ownVelocity(): OwnedVelocity {
    if (!this.velocityOwned) {
      const current = this.state.velocity;
      this.state.velocity = this.owned === 'all' && current !== undefined ? current : ownVelocity(current);
      this.velocityOwned = true;
    }
    return this.state.velocity as OwnedVelocity;
  }

  /** A collection of the state that this fold may write to (the shared empty record is never one). */
  own<K extends Collection>(key: K): MemberState[K] {
    const current = this.state[key];
    if (this.owned === 'all' ? (current as unknown) === NO_ENTRIES : !this.owned.has(key)) {
      this.state[key] = copyOf(current);
      if (this.owned !== 'all') this.owned.add(key);
    }
    return this.state[key];
  }
}

/** A collection's shallow copy, of the same kind. */
const copyOf = <T>(collection: T): T => {
  if (collection instanceof Map) return new Map(collection) as T;
  return (Object.getPrototypeOf(collection) === null ? keyed(collection as Record<string, unknown>) : { ...collection }) as T;
};

/** The latest of some days (ISO dates sort as text); undefined for none. */
const newestOf = (days: Iterable<string>): string | undefined => {
  let newest: string | undefined;
  for (const day of days) if (newest === undefined || day > newest) newest = day;
  return newest;
};

/**
 * The oldest day `daily` is sure to still hold, if it was ever folded: `pruneDays` drops only days
 * before the newest one folded (which stays the newest key) minus `DAILY_DAYS_KEPT`. Undefined when
 * nothing was folded, and so nothing dropped. Older days may still be there, pruning being lazy, but
 * a rule must not look at them, or a decision would depend on when the prune last ran.
 */
export const oldestKnownDay = (daily: ReadonlyMap<string, unknown>, windowDays = DAILY_DAYS_KEPT): string | undefined => {
  const newest = newestOf(daily.keys());
  return newest === undefined ? undefined : addDays(newest, -Math.min(windowDays, DAILY_DAYS_KEPT));
};

/** The newest business day `daily` holds, the day the late-input window is counted back from. */
export const newestKnownDay = (daily: ReadonlyMap<string, unknown>): string | undefined => newestOf(daily.keys());

/**
 * Whether `daily` still tells what happened on `day` (nothing there then means nothing happened),
 * within a window of `windowDays` (the program's late-input window, at most `DAILY_DAYS_KEPT`).
 */
export const isDayKnown = (daily: ReadonlyMap<string, unknown>, day: string, windowDays = DAILY_DAYS_KEPT): boolean => {
  const oldest = oldestKnownDay(daily, windowDays);
  return oldest === undefined || day >= oldest;
};

/**
 * Keeps only the last `keep` days before `newest`, so state stays small over years of history.
 * Nothing is dropped while there are at most `keep` days (most members), and an old day kept a
 * little longer never changes a decision (rules look at explicit days and windows).
 */
const pruneDays = (byDay: Map<string, unknown>, newest: string, keep: number): void => {
  if (byDay.size <= keep) return;
  const oldest = addDays(newest, -keep);
  for (const day of byDay.keys()) if (day < oldest) byDay.delete(day);
};

const addQualifying = (fold: MemberFold, occurredAt: string, points: number): void => {
  const day = utcDay(occurredAt);
  const qualifying = fold.own('qualifying');
  const before = qualifying.get(day);
  qualifying.set(day, (before ?? 0) + points);
  // Only a new day can take the count over the limit.
  if (before === undefined && qualifying.size > QUALIFYING_DAYS_KEPT) {
    pruneDays(
      qualifying,
      [...qualifying.keys()].reduce((a, b) => (a > b ? a : b)),
      QUALIFYING_DAYS_KEPT,
    );
  }
};

/** Points that became spendable repay debt first; lots emptied by the event close. */
const settle = (fold: MemberFold, touched: string[]): void => {
  const state = fold.state;
  if (state.debt > 0) {
    const repaid = repayDebt(fold.own('lots'), state.debt);
    state.debt = repaid.debt;
    for (const lotId of repaid.touched) fold.lotChanged(lotId);
    touched.push(...repaid.touched);
  }
  closeLots(fold, touched);
};

const closeLots = (fold: MemberFold, touched: readonly string[]): void => {
  const lots = fold.state.lots;
  if (touched.some((id) => isEmptied(lots.get(id)))) closeEmptyLots(fold.own('lots'), touched);
};

/** Applies a lot change to the portions an event names, and returns the lots it touched. */
const changeLots = (
  fold: MemberFold,
  portions: readonly { lotId: string; points: number; expiresAt: string }[],
  change: typeof spend,
  version: number,
): string[] => {
  if (portions.length > 0) applyPortions(fold.own('lots'), portions, change, version);
  const ids = portions.map((p) => p.lotId);
  for (const lotId of ids) fold.lotChanged(lotId);
  return ids;
};

/** Opens or replaces one lot. */
const putLot = (fold: MemberFold, lot: Lot): void => {
  fold.own('lots').set(lot.lotId, lot);
  fold.lotChanged(lot.lotId);
};

/** A resolved hold (captured, released, partly captured or expired) leaves the state. */
const dropHold = (fold: MemberFold, holdId: string): void => {
  if (!Object.hasOwn(fold.state.holds, holdId)) return;
  delete fold.own('holds')[holdId];
  fold.holdChanged(holdId);
};

const addToTotal = (fold: MemberFold, total: keyof MemberState['totals'], points: number): void => {
  fold.own('totals')[total] += points;
};

/**
 * The last day checked in only moves forward: a check-in delivered late, for a day before it, is
 * remembered in `daily` and leaves the streak of the newest day as it was. Logs written before late
 * check-ins were accepted never hold one, so their replays fold as before.
 */
const onCheckedIn = (state: MemberState, day: string, streak: number): void => {
  const { lastDay } = state.checkIn;
  if (lastDay === undefined || day >= lastDay) state.checkIn = { lastDay: day, streak };
};

const onEarned = (fold: MemberFold, data: LedgerEventDataMap['points.earned'], occurredAt: string, version: number): void => {
  const state = fold.state;
  const lot: Lot = {
    lotId: data.lotId,
    points: data.points,
    remaining: data.points,
    held: 0,
    expiresAt: data.expiresAt,
    pending: data.availableAt !== undefined || data.heldByFlag !== undefined,
    order: version,
    ...(data.availableAt !== undefined ? { availableAt: data.availableAt } : {}),
    ...(data.heldByFlag !== undefined ? { heldByFlag: true as const } : {}),
  };
  putLot(fold, lot);
  addToTotal(fold, 'earned', data.points);
  if (data.reason !== 'adjustment') addQualifying(fold, occurredAt, data.points);
  if (data.orderId !== undefined && data.reason === 'purchase') {
    const orders = fold.own('orders');
    const order = orders.get(data.orderId) ?? { points: 0, amountMinor: 0, clawedBack: 0, refundedMinor: 0, refundIds: [] };
    orders.set(data.orderId, { ...order, points: order.points + data.points, amountMinor: order.amountMinor + (data.orderAmountMinor ?? 0) });
    fold.orderChanged(data.orderId);
  }
  if (data.reason === 'check-in' && data.day !== undefined) onCheckedIn(state, data.day, data.streak ?? 1);
  const watched = velocityInputOf(data.reason);
  if (watched !== undefined) countInputInto(fold.ownVelocity(), watched, occurredAt);
  if (data.reason === 'referral-welcome') state.referredBy = data.referrerId;
  if (data.day !== undefined) {
    const daily = fold.own('daily');
    // A day's activities are replaced, never changed: a day without any shares the empty record.
    const today = daily.get(data.day) ?? { earned: 0, activities: NO_ENTRIES };
    const activities = data.activity ? { ...today.activities, [data.activity]: (today.activities[data.activity] ?? 0) + 1 } : today.activities;
    const earned = today.earned + data.points;
    // Two literals rather than a conditional spread: days without a check-in keep the smaller shape.
    daily.set(data.day, today.checkedIn || data.reason === 'check-in' ? { earned, activities, checkedIn: true } : { earned, activities });
    pruneDays(daily, data.day, DAILY_DAYS_KEPT);
    if (data.activity) {
      const years = fold.own('activityYears');
      const key = `${data.activity}@${data.day.slice(0, 4)}`;
      years[key] = (years[key] ?? 0) + 1;
    }
  }
  if (!lot.pending) settle(fold, [lot.lotId]);
};

const onClawedBack = (fold: MemberFold, data: LedgerEventDataMap['points.clawed-back'], occurredAt: string, version: number): void => {
  closeLots(fold, changeLots(fold, data.fromLots, spend, version));
  fold.state.debt += data.debt ?? 0;
  addToTotal(fold, 'clawedBack', data.points);
  addQualifying(fold, occurredAt, -data.points);
  const order = fold.state.orders.get(data.orderId);
  if (order) {
    fold.own('orders').set(data.orderId, {
      ...order,
      clawedBack: order.clawedBack + data.points,
      refundedMinor: order.refundedMinor + (data.refundedMinor ?? 0),
      refundIds: [...order.refundIds, data.refundId],
    });
    fold.orderChanged(data.orderId);
  }
};

const onAdjusted = (fold: MemberFold, data: LedgerEventDataMap['points.adjusted'], version: number): void => {
  addToTotal(fold, 'adjusted', data.points);
  if (data.points > 0 && data.lotId && data.expiresAt) {
    putLot(fold, { lotId: data.lotId, points: data.points, remaining: data.points, held: 0, expiresAt: data.expiresAt, pending: false, order: version });
    settle(fold, [data.lotId]);
    return;
  }
  const fromLots = data.fromLots ?? [];
  closeLots(fold, changeLots(fold, fromLots, spend, version));
  const covered = fromLots.reduce((sum, p) => sum + p.points, 0);
  fold.state.debt += Math.max(0, -data.points - covered);
};

/** The sender's side: spent like a redemption, and counted against the sender's limits. */
const onTransferred = (fold: MemberFold, data: LedgerEventDataMap['points.transferred'], version: number): void => {
  closeLots(fold, changeLots(fold, data.fromLots, spend, version));
  fold.state.transfers = countTransfer(fold.state.transfers, data.day, { sent: data.points, recipient: data.toMemberId });
};

/** The recipient's side: each portion opens a lot of its own that keeps its expiry. */
const onReceived = (fold: MemberFold, data: LedgerEventDataMap['points.received'], version: number): void => {
  for (const portion of data.toLots) {
    putLot(fold, {
      lotId: portion.lotId,
      points: portion.points,
      remaining: portion.points,
      held: 0,
      expiresAt: portion.expiresAt,
      pending: false,
      order: version,
    });
  }
  fold.state.transfers = countTransfer(fold.state.transfers, data.day, { received: data.points });
  settle(
    fold,
    data.toLots.map((p) => p.lotId),
  );
};

/** Either side of a reversal: the sender's points go back, the recipient's are taken (debt for what no lot covers). */
const onTransferReversed = (fold: MemberFold, data: LedgerEventDataMap['transfer.reversed'], version: number): void => {
  if (data.fromLots) closeLots(fold, changeLots(fold, data.fromLots, spend, version));
  fold.state.debt += data.debt ?? 0;
  if (data.toLots) settle(fold, changeLots(fold, data.toLots, restore, version));
};

/**
 * Once no open flag holds earnings any more, lots held by flags are only pending for their own
 * `availableAt`, if any: the clear's decision releases the others with it, the clock those.
 */
const onFlagCleared = (fold: MemberFold, flagId: string): void => {
  const { [flagId]: _cleared, ...open } = fold.state.flags ?? {};
  fold.state.flags = open;
  if (Object.values(open).some((flag) => flag.action === 'hold-earnings')) return;
  for (const lot of fold.state.lots.values()) {
    if (!lot.heldByFlag) continue;
    const { heldByFlag: _held, ...unheld } = lot;
    putLot(fold, unheld);
  }
};

const apply = (fold: MemberFold, event: NewLedgerEvent, version: number): void => {
  const state = fold.state;
  switch (event.type) {
    case 'points.earned':
      return onEarned(fold, event.data, event.occurredAt, version);
    case 'points.released': {
      const lot = state.lots.get(event.data.lotId);
      if (!lot) return;
      const { heldByFlag: _held, ...released } = lot;
      putLot(fold, { ...released, pending: false });
      return settle(fold, [lot.lotId]);
    }
    case 'points.clawed-back':
      return onClawedBack(fold, event.data, event.occurredAt, version);
    case 'points.redeemed':
      closeLots(fold, changeLots(fold, event.data.fromLots, spend, version));
      return addToTotal(fold, 'redeemed', event.data.points);
    case 'points.held': {
      const { data } = event;
      changeLots(fold, data.fromLots, reserve, version);
      fold.own('holds')[data.holdId] = { points: data.points, storeId: data.storeId, fromLots: data.fromLots, expiresAt: data.expiresAt, status: 'open' };
      fold.holdChanged(data.holdId);
      return;
    }
    case 'hold.captured':
      closeLots(fold, changeLots(fold, event.data.fromLots, capture, version));
      addToTotal(fold, 'captured', event.data.points);
      return dropHold(fold, event.data.holdId);
    case 'hold.released':
      // Released points become spendable again, so they repay any debt taken on meanwhile.
      dropHold(fold, event.data.holdId);
      return settle(fold, changeLots(fold, event.data.fromLots, unreserve, version));
    case 'redemption.reversed':
      addToTotal(fold, 'reversed', event.data.points);
      return settle(fold, changeLots(fold, event.data.toLots, restore, version));
    case 'points.expired': {
      const lot = state.lots.get(event.data.lotId);
      if (lot) {
        putLot(fold, spend(lot, event.data.points));
        closeLots(fold, [lot.lotId]);
      }
      return addToTotal(fold, 'expired', event.data.points);
    }
    case 'points.adjusted':
      return onAdjusted(fold, event.data, version);
    case 'tier.changed': {
      const { data } = event;
      state.tier = data.to;
      if (data.floor !== undefined) state.tierFloor = data.floor;
      if (data.reason === 'threshold-reached' || data.reason === 'ops-floor') state.lastUpgradeAt = event.occurredAt;
      return;
    }
    case 'points.transferred':
      return onTransferred(fold, event.data, version);
    case 'points.received':
      return onReceived(fold, event.data, version);
    case 'transfer.reversed':
      return onTransferReversed(fold, event.data, version);
    case 'member.flagged': {
      const { flagId, ruleId, action } = event.data;
      state.flags = { ...state.flags, [flagId]: { ruleId, action } };
      return;
    }
    case 'flag.cleared':
      return onFlagCleared(fold, event.data.flagId);
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled ledger event ${(unhandled as NewLedgerEvent).type}`);
    }
  }
};

/** Folds one event (at its member version) into a new state; the one given is left as it was. */
export const evolveMember = (state: MemberState, event: NewLedgerEvent, version: number): MemberState => MemberFold.from(state).apply(event, version).state;

/** A state with these events applied in order, each at the next version. */
export const evolveAll = (state: MemberState, events: readonly NewLedgerEvent[]): MemberState =>
  events.reduce((next, event) => evolveMember(next, event, next.version + 1), state);

/** The state of a member whose history is these events. */
export const stateFrom = (memberId: string, events: readonly NewLedgerEvent[]): MemberState => evolveAll(initialMemberState(memberId), events);
