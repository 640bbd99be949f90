import { Inject, Injectable } from '@nestjs/common';
import { Program } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { DataSource } from 'typeorm';

/** A span of business days, both ends included, and the one store it is limited to (if any). */
export interface DayRange {
  from: string;
  to: string;
  storeId?: string;
}

export type DailyGroup = 'day' | 'store' | 'channel' | 'reason';

const METRIC_SUMS = `coalesce(sum(earned), 0)::bigint AS earned, coalesce(sum(redeemed), 0)::bigint AS redeemed,
  coalesce(sum(captured), 0)::bigint AS captured, coalesce(sum(reversed), 0)::bigint AS reversed,
  coalesce(sum(expired), 0)::bigint AS expired, coalesce(sum(clawed_back), 0)::bigint AS clawed_back,
  coalesce(sum(adjusted), 0)::bigint AS adjusted, coalesce(sum(events), 0)::bigint AS events`;

interface MetricRow {
  earned: string;
  redeemed: string;
  captured: string;
  reversed: string;
  expired: string;
  clawed_back: string;
  adjusted: string;
  events: string;
}

export const metricsOf = (row: MetricRow) => ({
  earned: Number(row.earned),
  redeemed: Number(row.redeemed),
  captured: Number(row.captured),
  reversed: Number(row.reversed),
  expired: Number(row.expired),
  clawedBack: Number(row.clawed_back),
  adjusted: Number(row.adjusted),
  events: Number(row.events),
});

type Metrics = ReturnType<typeof metricsOf>;

/**
 * Breakage: the share of points that left balances by expiring rather than being spent
 * (redeemed or captured, net of reversals); null while none left either way.
 */
export const breakageRate = (m: Metrics): number | null => {
  const spent = m.redeemed + m.captured - m.reversed;
  const left = spent + m.expired;
  return left > 0 ? m.expired / left : null;
};

const rangeFilter = (range: DayRange, first = 1): { sql: string; parameters: string[] } =>
  range.storeId === undefined
    ? { sql: `day BETWEEN $${first} AND $${first + 1}`, parameters: [range.from, range.to] }
    : { sql: `day BETWEEN $${first} AND $${first + 1} AND store_id = $${first + 2}`, parameters: [range.from, range.to, range.storeId] };

const GROUP_COLUMNS: Record<DailyGroup, string> = {
  day: `to_char(day, 'YYYY-MM-DD') AS day`,
  store: `to_char(day, 'YYYY-MM-DD') AS day, store_id`,
  channel: `to_char(day, 'YYYY-MM-DD') AS day, channel`,
  reason: `to_char(day, 'YYYY-MM-DD') AS day, reason`,
};
const GROUP_BY: Record<DailyGroup, string> = { day: 'day', store: 'day, store_id', channel: 'day, channel', reason: 'day, reason' };

/** The dashboard's reads: every one of them over the read model's small aggregate tables or an index. */
@Injectable()
export class AnalyticsQueries {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PROGRAM) private readonly program: Program,
  ) {}

  private query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, parameters);
  }

  async totals(range: DayRange): Promise<Metrics> {
    const filter = rangeFilter(range);
    const [row] = await this.query<MetricRow>(`SELECT ${METRIC_SUMS} FROM analytics_daily WHERE ${filter.sql}`, filter.parameters);
    return metricsOf(row);
  }

  /** Points available, pending and held over all members, and what they are worth at the programme's rate. */
  async liability() {
    const rows = await this.query<{ key: string; value: string }>(`SELECT key, value FROM analytics_totals`);
    const value = (key: string) => Number(rows.find((r) => r.key === key)?.value ?? 0);
    const [available, pending, held] = [value('available'), value('pending'), value('held')];
    const points = available + pending + held;
    const rate = this.program.redemption;
    return {
      available,
      pending,
      held,
      points,
      members: value('members'),
      cashValueMinor: Math.floor((points * rate.valueMinor) / rate.points),
      currency: rate.currency,
    };
  }

  async activeMembers(range: DayRange) {
    const daily = await this.query<{ day: string; members: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, members FROM analytics_active_days WHERE day BETWEEN $1 AND $2 ORDER BY day`,
      [range.from, range.to],
    );
    const [last30] = await this.query<{ n: string }>(
      `SELECT coalesce(sum(members), 0)::bigint AS n FROM analytics_last_active WHERE day BETWEEN $1::date - 29 AND $1::date`,
      [range.to],
    );
    return { last30Days: Number(last30.n), daily: daily.map((r) => ({ day: r.day, members: Number(r.members) })) };
  }

  async tiers(range: DayRange) {
    const distribution = await this.query<{ tier: string; members: string }>(
      `SELECT tier, members FROM analytics_tiers WHERE members <> 0 ORDER BY members DESC, tier`,
    );
    const moves = await this.query<{ day: string; from_tier: string; to_tier: string; moves: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, from_tier, to_tier, moves FROM analytics_tier_moves WHERE day BETWEEN $1 AND $2 ORDER BY day, from_tier, to_tier`,
      [range.from, range.to],
    );
    return {
      distribution: distribution.map((r) => ({ tier: r.tier, members: Number(r.members) })),
      moves: moves.map((r) => ({ day: r.day, from: r.from_tier, to: r.to_tier, moves: Number(r.moves) })),
    };
  }

  async daily(range: DayRange, group: DailyGroup) {
    const filter = rangeFilter(range);
    const rows = await this.query<MetricRow & { day: string; store_id?: string; channel?: string; reason?: string }>(
      `SELECT ${GROUP_COLUMNS[group]}, ${METRIC_SUMS} FROM analytics_daily WHERE ${filter.sql} GROUP BY ${GROUP_BY[group]} ORDER BY ${GROUP_BY[group]}`,
      filter.parameters,
    );
    return rows.map((r) => ({
      day: r.day,
      ...(group === 'store' ? { storeId: r.store_id } : {}),
      ...(group === 'channel' ? { channel: r.channel } : {}),
      ...(group === 'reason' ? { reason: r.reason } : {}),
      ...metricsOf(r),
    }));
  }

  /** Totals per store over the range; points not tied to a store (expiry, clawbacks) are in no store. */
  async stores(range: DayRange) {
    const filter = rangeFilter(range);
    const rows = await this.query<MetricRow & { store_id: string }>(
      `SELECT store_id, ${METRIC_SUMS} FROM analytics_daily WHERE ${filter.sql} AND store_id <> '' GROUP BY store_id ORDER BY store_id`,
      filter.parameters,
    );
    return rows.map((r) => ({ storeId: r.store_id, ...metricsOf(r) }));
  }

  async rewards(range: DayRange) {
    const filter = rangeFilter(range);
    const rows = await this.query<{ reward_id: string; redemptions: string; points: string }>(
      `SELECT reward_id, sum(redemptions)::bigint AS redemptions, sum(points)::bigint AS points FROM analytics_rewards
        WHERE ${filter.sql} GROUP BY reward_id ORDER BY points DESC, reward_id`,
      filter.parameters,
    );
    return rows.map((r) => ({ rewardId: r.reward_id, redemptions: Number(r.redemptions), points: Number(r.points) }));
  }

  /** How far the read model is behind the log: positions not applied yet and the age of the oldest of them. */
  async lag(now: Date) {
    const [progress] = await this.query<{ position: string; last_recorded_at: Date | null; applied_at: Date | null; events_applied: string }>(
      `SELECT position, last_recorded_at, applied_at, events_applied FROM analytics_progress WHERE id = 1`,
    );
    const [head] = await this.query<{ position: string | null }>(`SELECT max(position) AS position FROM ledger_events`);
    const headPosition = Number(head.position ?? 0);
    const appliedPosition = Number(progress.position);
    const [oldest] =
      headPosition > appliedPosition
        ? await this.query<{ recorded_at: Date }>(`SELECT recorded_at FROM ledger_events WHERE position > $1 ORDER BY position LIMIT 1`, [appliedPosition])
        : [];
    return {
      logPosition: String(headPosition),
      appliedPosition: String(appliedPosition),
      positionsBehind: Math.max(0, headPosition - appliedPosition),
      lagSeconds: oldest ? Math.max(0, (now.getTime() - oldest.recorded_at.getTime()) / 1000) : 0,
      eventsApplied: Number(progress.events_applied),
      lastRecordedAt: progress.last_recorded_at?.toISOString() ?? null,
      appliedAt: progress.applied_at?.toISOString() ?? null,
    };
  }
}
