import { LedgerEventDataMap, NewLedgerEvent } from '@tally/contracts';
import { applyPortions, capture, repayDebt, reserve, restore, spend, unreserve, withoutClosedLots } from './lots';
import { Lot, MemberState } from './member-state';

/** Days of per-day counters kept: enough for daily caps on events arriving weeks late. */
const DAILY_DAYS_KEPT = 35;
/** Days of qualifying points kept: the longest tier window plus slack. */
const QUALIFYING_DAYS_KEPT = 400;

type Evolved = { event: NewLedgerEvent; version: number };

/** UTC day of an instant; stored events are already `toISOString()` form, so most need no parsing. */
const utcDay = (iso: string): string => (iso.length === 24 && iso.endsWith('Z') ? iso.slice(0, 10) : new Date(iso).toISOString().slice(0, 10));

const dayMinus = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/**
 * Keeps only the last `keep` days before the newest key, so state stays small over years of
 * history. Nothing is dropped while there are at most `keep` days (most events): the common case
 * costs no copy, and an old day kept a little longer never changes a decision (rules look at
 * explicit days and windows).
 */
const pruneDays = <T>(byDay: Record<string, T>, newest: string, keep: number): Record<string, T> => {
  if (Object.keys(byDay).length <= keep) return byDay;
  const oldest = dayMinus(newest, keep);
  const next: Record<string, T> = {};
  for (const [day, value] of Object.entries(byDay)) if (day >= oldest) next[day] = value;
  return next;
};

const addQualifying = (state: MemberState, occurredAt: string, points: number): Record<string, number> => {
  const day = utcDay(occurredAt);
  const next = { ...state.qualifying, [day]: (state.qualifying[day] ?? 0) + points };
  if (Object.keys(next).length <= QUALIFYING_DAYS_KEPT) return next;
  const newest = Object.keys(next).reduce((a, b) => (a > b ? a : b), day);
  return pruneDays(next, newest, QUALIFYING_DAYS_KEPT);
};

const settle = (state: MemberState): MemberState => {
  const repaid = repayDebt(state.lots, state.debt);
  return { ...state, lots: withoutClosedLots(repaid.lots), debt: repaid.debt };
};

/** A resolved hold (captured, released, partly captured or expired) leaves the state. */
const withoutHold = (holds: MemberState['holds'], holdId: string): MemberState['holds'] => {
  if (!Object.hasOwn(holds, holdId)) return holds;
  const { [holdId]: _resolved, ...open } = holds;
  return open;
};

const onEarned = (state: MemberState, data: LedgerEventDataMap['points.earned'], occurredAt: string, version: number): MemberState => {
  const lot: Lot = {
    lotId: data.lotId,
    points: data.points,
    remaining: data.points,
    held: 0,
    expiresAt: data.expiresAt,
    pending: data.availableAt !== undefined,
    order: version,
    ...(data.availableAt !== undefined ? { availableAt: data.availableAt } : {}),
  };
  const next: MemberState = {
    ...state,
    lots: { ...state.lots, [lot.lotId]: lot },
    totals: { ...state.totals, earned: state.totals.earned + data.points },
  };
  if (data.reason !== 'adjustment') next.qualifying = addQualifying(state, occurredAt, data.points);
  if (data.orderId !== undefined && data.reason === 'purchase') {
    const order = state.orders[data.orderId] ?? { points: 0, amountMinor: 0, clawedBack: 0, refundedMinor: 0, refundIds: [] };
    next.orders = {
      ...state.orders,
      [data.orderId]: { ...order, points: order.points + data.points, amountMinor: order.amountMinor + (data.orderAmountMinor ?? 0) },
    };
  }
  if (data.reason === 'check-in' && data.day !== undefined) next.checkIn = { lastDay: data.day, streak: data.streak ?? 1 };
  if (data.reason === 'referral-welcome') next.referredBy = data.referrerId;
  if (data.day !== undefined) {
    const today = state.daily[data.day] ?? { earned: 0, activities: {} };
    const activities = data.activity
      ? { ...today.activities, [data.activity]: (today.activities[data.activity] ?? 0) + 1 }
      : today.activities;
    next.daily = pruneDays({ ...state.daily, [data.day]: { earned: today.earned + data.points, activities } }, data.day, DAILY_DAYS_KEPT);
    if (data.activity) {
      const key = `${data.activity}@${data.day.slice(0, 4)}`;
      next.activityYears = { ...state.activityYears, [key]: (state.activityYears[key] ?? 0) + 1 };
    }
  }
  return lot.pending ? next : settle(next);
};

const onClawedBack = (state: MemberState, data: LedgerEventDataMap['points.clawed-back'], occurredAt: string, version: number): MemberState => {
  const order = state.orders[data.orderId];
  return {
    ...state,
    lots: withoutClosedLots(applyPortions(state.lots, data.fromLots, spend, version)),
    debt: state.debt + (data.debt ?? 0),
    totals: { ...state.totals, clawedBack: state.totals.clawedBack + data.points },
    qualifying: addQualifying(state, occurredAt, -data.points),
    orders: order
      ? {
          ...state.orders,
          [data.orderId]: {
            ...order,
            clawedBack: order.clawedBack + data.points,
            refundedMinor: order.refundedMinor + (data.refundedMinor ?? 0),
            refundIds: [...order.refundIds, data.refundId],
          },
        }
      : state.orders,
  };
};

const onAdjusted = (state: MemberState, data: LedgerEventDataMap['points.adjusted'], version: number): MemberState => {
  const totals = { ...state.totals, adjusted: state.totals.adjusted + data.points };
  if (data.points > 0 && data.lotId && data.expiresAt) {
    const lot: Lot = { lotId: data.lotId, points: data.points, remaining: data.points, held: 0, expiresAt: data.expiresAt, pending: false, order: version };
    return settle({ ...state, totals, lots: { ...state.lots, [lot.lotId]: lot } });
  }
  const fromLots = data.fromLots ?? [];
  const covered = fromLots.reduce((sum, p) => sum + p.points, 0);
  return {
    ...state,
    totals,
    lots: withoutClosedLots(applyPortions(state.lots, fromLots, spend, version)),
    debt: state.debt + Math.max(0, -data.points - covered),
  };
};

const apply = (state: MemberState, { event, version }: Evolved): MemberState => {
  switch (event.type) {
    case 'points.earned':
      return onEarned(state, event.data, event.occurredAt, version);
    case 'points.released': {
      const lot = state.lots[event.data.lotId];
      if (!lot) return state;
      return settle({ ...state, lots: { ...state.lots, [lot.lotId]: { ...lot, pending: false } } });
    }
    case 'points.clawed-back':
      return onClawedBack(state, event.data, event.occurredAt, version);
    case 'points.redeemed': {
      const { data } = event;
      return {
        ...state,
        lots: withoutClosedLots(applyPortions(state.lots, data.fromLots, spend, version)),
        totals: { ...state.totals, redeemed: state.totals.redeemed + data.points },
      };
    }
    case 'points.held': {
      const { data } = event;
      return {
        ...state,
        lots: applyPortions(state.lots, data.fromLots, reserve, version),
        holds: {
          ...state.holds,
          [data.holdId]: { points: data.points, storeId: data.storeId, fromLots: data.fromLots, expiresAt: data.expiresAt, status: 'open' },
        },
      };
    }
    case 'hold.captured': {
      const { data } = event;
      return {
        ...state,
        lots: withoutClosedLots(applyPortions(state.lots, data.fromLots, capture, version)),
        totals: { ...state.totals, captured: state.totals.captured + data.points },
        holds: withoutHold(state.holds, data.holdId),
      };
    }
    case 'hold.released': {
      const { data } = event;
      // Released points become spendable again, so they repay any debt taken on meanwhile.
      return settle({
        ...state,
        lots: applyPortions(state.lots, data.fromLots, unreserve, version),
        holds: withoutHold(state.holds, data.holdId),
      });
    }
    case 'redemption.reversed': {
      const { data } = event;
      return settle({
        ...state,
        lots: applyPortions(state.lots, data.toLots, restore, version),
        totals: { ...state.totals, reversed: state.totals.reversed + data.points },
      });
    }
    case 'points.expired': {
      const { data } = event;
      const lot = state.lots[data.lotId];
      return {
        ...state,
        lots: lot ? withoutClosedLots({ ...state.lots, [lot.lotId]: spend(lot, data.points) }) : state.lots,
        totals: { ...state.totals, expired: state.totals.expired + data.points },
      };
    }
    case 'points.adjusted':
      return onAdjusted(state, event.data, version);
    case 'tier.changed': {
      const { data } = event;
      const next: MemberState = { ...state, tier: data.to };
      if (data.floor !== undefined) next.tierFloor = data.floor;
      if (data.reason === 'threshold-reached' || data.reason === 'ops-floor') next.lastUpgradeAt = event.occurredAt;
      return next;
    }
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled ledger event ${(unhandled as NewLedgerEvent).type}`);
    }
  }
};

/** Folds one event (at its member version) into the member's state. Pure and deterministic. */
export const evolveMember = (state: MemberState, event: NewLedgerEvent, version: number): MemberState => ({
  ...apply(state, { event, version }),
  version,
});
