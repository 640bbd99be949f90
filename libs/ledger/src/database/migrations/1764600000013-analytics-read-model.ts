import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analytics read model: aggregates kept by the ledger app's consumer of `loyalty.ledger.v1`.
 * Nothing here is a source of truth: every table is rebuilt from the log (`POST /ops/analytics/rebuild`).
 * - `analytics_members`: per member, the last version applied (the idempotency watermark) and the
 *   balances and tier that liability and the tier mix are summed from;
 * - `analytics_daily`: points per business day (programme time zone), store, channel and reason;
 * - `analytics_totals`: programme-wide sums (liability, members) updated by delta, read in one row each;
 * - `leaderboard_points`: points earned per member per period (day, week, month, campaign), overall
 *   (`store_id` '') and per store, indexed in rank order (points desc, member id asc).
 */
export class AnalyticsReadModel1764600000013 implements MigrationInterface {
  name = 'AnalyticsReadModel1764600000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analytics_members (
        member_id       text COLLATE "C" PRIMARY KEY,
        version         integer NOT NULL,
        available       bigint  NOT NULL DEFAULT 0,
        pending         bigint  NOT NULL DEFAULT 0,
        held            bigint  NOT NULL DEFAULT 0,
        tier            text    NOT NULL,
        last_active_day date
      )`);
    await q.query(`CREATE INDEX analytics_members_active ON analytics_members (last_active_day)`);
    await q.query(`
      CREATE TABLE analytics_daily (
        day         date NOT NULL,
        store_id    text COLLATE "C" NOT NULL,
        channel     text NOT NULL,
        reason      text NOT NULL,
        earned      bigint NOT NULL DEFAULT 0,
        redeemed    bigint NOT NULL DEFAULT 0,
        captured    bigint NOT NULL DEFAULT 0,
        reversed    bigint NOT NULL DEFAULT 0,
        expired     bigint NOT NULL DEFAULT 0,
        clawed_back bigint NOT NULL DEFAULT 0,
        adjusted    bigint NOT NULL DEFAULT 0,
        events      bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (day, store_id, channel, reason)
      )`);
    await q.query(`CREATE INDEX analytics_daily_store ON analytics_daily (store_id, day)`);
    await q.query(`CREATE TABLE analytics_active_days (day date PRIMARY KEY, members bigint NOT NULL)`);
    await q.query(`CREATE TABLE analytics_tiers (tier text PRIMARY KEY, members bigint NOT NULL)`);
    await q.query(`
      CREATE TABLE analytics_tier_moves (
        day date NOT NULL, from_tier text NOT NULL, to_tier text NOT NULL, moves bigint NOT NULL,
        PRIMARY KEY (day, from_tier, to_tier)
      )`);
    await q.query(`
      CREATE TABLE analytics_rewards (
        day date NOT NULL, store_id text COLLATE "C" NOT NULL, reward_id text COLLATE "C" NOT NULL,
        redemptions bigint NOT NULL, points bigint NOT NULL,
        PRIMARY KEY (day, store_id, reward_id)
      )`);
    await q.query(`CREATE TABLE analytics_totals (key text PRIMARY KEY, value bigint NOT NULL)`);
    await q.query(`
      CREATE TABLE analytics_progress (
        id               smallint PRIMARY KEY CHECK (id = 1),
        position         bigint NOT NULL,
        last_recorded_at timestamptz,
        applied_at       timestamptz,
        events_applied   bigint NOT NULL
      )`);
    await q.query(`INSERT INTO analytics_progress (id, position, events_applied) VALUES (1, 0, 0)`);
    await q.query(`
      CREATE TABLE leaderboard_points (
        period     text NOT NULL,
        period_key text COLLATE "C" NOT NULL,
        store_id   text COLLATE "C" NOT NULL,
        member_id  text COLLATE "C" NOT NULL,
        points     bigint NOT NULL,
        PRIMARY KEY (period, period_key, store_id, member_id)
      )`);
    await q.query(`CREATE INDEX leaderboard_rank ON leaderboard_points (period, period_key, store_id, points DESC, member_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE leaderboard_points, analytics_progress, analytics_totals, analytics_rewards,
      analytics_tier_moves, analytics_tiers, analytics_active_days, analytics_daily, analytics_members`);
  }
}
