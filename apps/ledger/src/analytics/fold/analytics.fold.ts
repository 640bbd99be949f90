import { LedgerEventDataMap, LedgerEventMessage } from '@tally/contracts';
import { Campaign } from '@tally/program';
import { Period, periodKeysOf } from './periods';

/** What the read model keeps per member: the watermark (last version applied) and what sums are made of. */
export interface AnalyticsMember {
  memberId: string;
  version: number;
  available: number;
  pending: number;
  held: number;
  tier: string;
  lastActiveDay: string | null;
}

export type DailyMetric = 'earned' | 'redeemed' | 'captured' | 'reversed' | 'expired' | 'clawedBack' | 'adjusted';
export const DAILY_METRICS: readonly DailyMetric[] = ['earned', 'redeemed', 'captured', 'reversed', 'expired', 'clawedBack', 'adjusted'];

export interface DailyKey {
  day: string;
  storeId: string;
  channel: string;
  reason: string;
}

export type DailyDelta = DailyKey & Record<DailyMetric, number> & { events: number };

export interface AnalyticsDeltas {
  members: Map<string, AnalyticsMember>;
  daily: Map<string, DailyDelta>;
  activeDays: Map<string, number>;
  /** Members per last active day: what "active in the last N days" sums without reading every member. */
  lastActive: Map<string, number>;
  tiers: Map<string, number>;
  tierMoves: Map<string, { day: string; from: string; to: string; moves: number }>;
  rewards: Map<string, { day: string; storeId: string; rewardId: string; redemptions: number; points: number }>;
  boards: Map<string, { period: Period; key: string; storeId: string; memberId: string; points: number }>;
  totals: { available: number; pending: number; held: number; members: number };
  applied: number;
  maxPosition: number;
  lastRecordedAt: string | null;
}

export interface FoldContext {
  /** The business day (programme time zone) of an ISO instant. */
  dayOf: (iso: string) => string;
  campaigns: readonly Campaign[];
  /** The tier a member starts in (the programme's lowest). */
  baseTier: string;
}

/** Channel of an earning: a purchase with a store was in a store, without one online; other reasons are their own channel. */
const earnChannel = (data: LedgerEventDataMap['points.earned']): string => {
  if (data.reason === 'purchase') return data.storeId ? 'store' : 'online';
  if (data.reason === 'adjustment') return 'ops';
  return 'app';
};

/** Free-text reasons (adjustments) are kept short: they are a grouping key. */
const shortReason = (reason: unknown): string => (typeof reason === 'string' ? reason.slice(0, 64) : '');

const emptyDeltas = (): AnalyticsDeltas => ({
  members: new Map(),
  daily: new Map(),
  activeDays: new Map(),
  lastActive: new Map(),
  tiers: new Map(),
  tierMoves: new Map(),
  rewards: new Map(),
  boards: new Map(),
  totals: { available: 0, pending: 0, held: 0, members: 0 },
  applied: 0,
  maxPosition: 0,
  lastRecordedAt: null,
});

const bump = (map: Map<string, number>, key: string, by: number): void => {
  map.set(key, (map.get(key) ?? 0) + by);
};

class Folder {
  readonly deltas = emptyDeltas();

  constructor(
    private readonly context: FoldContext,
    private readonly known: ReadonlyMap<string, AnalyticsMember>,
  ) {}

  member(event: LedgerEventMessage): AnalyticsMember {
    const current = this.deltas.members.get(event.memberId);
    if (current) return current;
    const stored = this.known.get(event.memberId);
    if (stored) {
      const copy = { ...stored };
      this.deltas.members.set(event.memberId, copy);
      return copy;
    }
    const data = event.data as { tier?: unknown };
    const tier = event.type === 'points.earned' && typeof data.tier === 'string' ? data.tier : this.context.baseTier;
    const created: AnalyticsMember = { memberId: event.memberId, version: 0, available: 0, pending: 0, held: 0, tier, lastActiveDay: null };
    this.deltas.members.set(event.memberId, created);
    this.deltas.totals.members += 1;
    bump(this.deltas.tiers, tier, 1);
    return created;
  }

  daily(key: DailyKey, metric: DailyMetric, points: number): void {
    const id = `${key.day}|${key.storeId}|${key.channel}|${key.reason}`;
    let row = this.deltas.daily.get(id);
    if (!row) {
      row = { ...key, earned: 0, redeemed: 0, captured: 0, reversed: 0, expired: 0, clawedBack: 0, adjusted: 0, events: 0 };
      this.deltas.daily.set(id, row);
    }
    row[metric] += points;
    row.events += 1;
  }

  balance(member: AnalyticsMember, available: number, pending = 0, held = 0): void {
    member.available += available;
    member.pending += pending;
    member.held += held;
    this.deltas.totals.available += available;
    this.deltas.totals.pending += pending;
    this.deltas.totals.held += held;
  }

  active(member: AnalyticsMember, day: string): void {
    if (member.lastActiveDay !== null && member.lastActiveDay >= day) return;
    if (member.lastActiveDay !== null) bump(this.deltas.lastActive, member.lastActiveDay, -1);
    bump(this.deltas.lastActive, day, 1);
    member.lastActiveDay = day;
    bump(this.deltas.activeDays, day, 1);
  }

  board(event: LedgerEventMessage, day: string, storeId: string | undefined, points: number): void {
    for (const [period, key] of periodKeysOf(day, Date.parse(event.occurredAt), this.context.campaigns)) {
      for (const store of storeId ? ['', storeId] : ['']) {
        const id = `${period}|${key}|${store}|${event.memberId}`;
        const row = this.deltas.boards.get(id);
        if (row) row.points += points;
        else this.deltas.boards.set(id, { period, key, storeId: store, memberId: event.memberId, points });
      }
    }
  }

  apply(event: LedgerEventMessage): void {
    const member = this.member(event);
    if (event.version <= member.version) return;
    member.version = event.version;
    const day = this.context.dayOf(event.occurredAt);
    this.applyType(event, member, day);
    this.deltas.applied += 1;
    this.deltas.maxPosition = Math.max(this.deltas.maxPosition, Number(event.position));
    if (this.deltas.lastRecordedAt === null || event.recordedAt > this.deltas.lastRecordedAt) this.deltas.lastRecordedAt = event.recordedAt;
  }

  private applyType(event: LedgerEventMessage, member: AnalyticsMember, day: string): void {
    const none = { day, storeId: '', channel: '', reason: '' };
    switch (event.type) {
      case 'points.earned': {
        const data = event.data as LedgerEventDataMap['points.earned'];
        if (data.availableAt) this.balance(member, 0, data.points);
        else this.balance(member, data.points);
        this.daily({ day, storeId: data.storeId ?? '', channel: earnChannel(data), reason: data.reason }, 'earned', data.points);
        if (data.reason !== 'adjustment') {
          this.active(member, day);
          this.board(event, day, data.storeId, data.points);
        }
        return;
      }
      case 'points.released': {
        const data = event.data as LedgerEventDataMap['points.released'];
        this.balance(member, data.points, -data.points);
        return;
      }
      case 'points.redeemed': {
        const data = event.data as LedgerEventDataMap['points.redeemed'];
        this.balance(member, -data.points);
        this.daily({ day, storeId: data.storeId, channel: 'store', reason: 'redemption' }, 'redeemed', data.points);
        this.active(member, day);
        if (data.rewardId) this.reward(day, data.storeId, data.rewardId, data.points);
        return;
      }
      case 'points.held': {
        const data = event.data as LedgerEventDataMap['points.held'];
        this.balance(member, -data.points, 0, data.points);
        this.active(member, day);
        return;
      }
      case 'hold.captured': {
        const data = event.data as LedgerEventDataMap['hold.captured'];
        this.balance(member, 0, 0, -data.points);
        this.daily({ ...none, reason: 'hold' }, 'captured', data.points);
        return;
      }
      case 'hold.released': {
        const data = event.data as LedgerEventDataMap['hold.released'];
        this.balance(member, data.points, 0, -data.points);
        return;
      }
      case 'redemption.reversed': {
        const data = event.data as LedgerEventDataMap['redemption.reversed'];
        this.balance(member, data.points);
        this.daily({ ...none, reason: 'reversal' }, 'reversed', data.points);
        return;
      }
      case 'points.expired': {
        const data = event.data as LedgerEventDataMap['points.expired'];
        this.balance(member, -data.points);
        this.daily({ ...none, reason: 'expiry' }, 'expired', data.points);
        return;
      }
      case 'points.clawed-back': {
        const data = event.data as LedgerEventDataMap['points.clawed-back'];
        this.balance(member, -data.points);
        this.daily({ ...none, reason: 'refund' }, 'clawedBack', data.points);
        return;
      }
      case 'points.adjusted': {
        const data = event.data as LedgerEventDataMap['points.adjusted'];
        this.balance(member, data.points);
        this.daily({ ...none, channel: 'ops', reason: shortReason(data.reason) }, 'adjusted', data.points);
        return;
      }
      case 'tier.changed': {
        const data = event.data as LedgerEventDataMap['tier.changed'];
        if (data.to === member.tier) return;
        bump(this.deltas.tiers, member.tier, -1);
        bump(this.deltas.tiers, data.to, 1);
        const id = `${day}|${member.tier}|${data.to}`;
        const move = this.deltas.tierMoves.get(id) ?? { day, from: member.tier, to: data.to, moves: 0 };
        move.moves += 1;
        this.deltas.tierMoves.set(id, move);
        member.tier = data.to;
        return;
      }
    }
  }

  private reward(day: string, storeId: string, rewardId: string, points: number): void {
    const id = `${day}|${storeId}|${rewardId}`;
    const row = this.deltas.rewards.get(id) ?? { day, storeId, rewardId, redemptions: 0, points: 0 };
    row.redemptions += 1;
    row.points += points;
    this.deltas.rewards.set(id, row);
  }
}

/**
 * Folds ledger events into the read model's changes. An event at or below its member's applied
 * version was applied before (a redelivery, or the log read again) and changes nothing, so the
 * same events applied twice give the same aggregates. Events come in per-member order.
 */
export const foldAnalytics = (events: readonly LedgerEventMessage[], known: ReadonlyMap<string, AnalyticsMember>, context: FoldContext): AnalyticsDeltas => {
  const folder = new Folder(context, known);
  for (const event of events) folder.apply(event);
  return folder.deltas;
};
