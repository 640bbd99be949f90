import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard's reads over the analytics read model answer from rows already summed, whatever
 * the number of members:
 * - `analytics_last_active`: members per last active day, kept by the writer (a member whose last
 *   activity moves from one day to a later one leaves the first and joins the second), so "active
 *   in the last 30 days" adds up to 30 rows instead of counting members; filled from the members'
 *   rows here. The index on `analytics_members.last_active_day` it replaces is dropped: every
 *   batch rewrites its members' rows, and without an index on a changing column (and room left in
 *   each page) PostgreSQL updates them in place of the page (HOT) instead of in every index;
 *   `analytics_daily`'s sums are in no index either, so its rows get the same room;
 * - `leaderboard_boards`: one row per board (period, key, store) with a small id, and
 *   `leaderboard_points` keyed by that id and the member instead of by four text columns: every
 *   earning adds to six or more board rows, each in two indexes (the key and the rank order), and
 *   those indexes are half the size with the id, so more of them stays in memory as boards grow.
 */
export class AnalyticsFastReads1764600000016 implements MigrationInterface {
  name = 'AnalyticsFastReads1764600000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE analytics_last_active (day date PRIMARY KEY, members bigint NOT NULL)`);
    await q.query(`
      INSERT INTO analytics_last_active (day, members)
      SELECT last_active_day, count(*) FROM analytics_members WHERE last_active_day IS NOT NULL GROUP BY last_active_day`);
    await q.query(`DROP INDEX analytics_members_active`);
    await q.query(`ALTER TABLE analytics_members SET (fillfactor = 80)`);
    await q.query(`ALTER TABLE analytics_daily SET (fillfactor = 80)`);
    await q.query(`
      CREATE TABLE leaderboard_boards (
        board_id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        period     text NOT NULL,
        period_key text COLLATE "C" NOT NULL,
        store_id   text COLLATE "C" NOT NULL,
        UNIQUE (period, period_key, store_id)
      )`);
    await q.query(`
      INSERT INTO leaderboard_boards (period, period_key, store_id)
      SELECT DISTINCT period, period_key, store_id FROM leaderboard_points ORDER BY period, period_key, store_id`);
    await q.query(`
      CREATE TABLE leaderboard_entries (
        board_id  integer NOT NULL,
        member_id text COLLATE "C" NOT NULL,
        points    bigint NOT NULL,
        PRIMARY KEY (board_id, member_id)
      )`);
    await q.query(`
      INSERT INTO leaderboard_entries (board_id, member_id, points)
      SELECT b.board_id, p.member_id, p.points FROM leaderboard_points p JOIN leaderboard_boards b USING (period, period_key, store_id)`);
    await q.query(`DROP TABLE leaderboard_points`);
    await q.query(`ALTER TABLE leaderboard_entries RENAME TO leaderboard_points`);
    await q.query(`ALTER INDEX leaderboard_entries_pkey RENAME TO leaderboard_points_pkey`);
    await q.query(`CREATE INDEX leaderboard_rank ON leaderboard_points (board_id, points DESC, member_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE leaderboard_by_key (
        period     text NOT NULL,
        period_key text COLLATE "C" NOT NULL,
        store_id   text COLLATE "C" NOT NULL,
        member_id  text COLLATE "C" NOT NULL,
        points     bigint NOT NULL,
        PRIMARY KEY (period, period_key, store_id, member_id)
      )`);
    await q.query(`
      INSERT INTO leaderboard_by_key SELECT b.period, b.period_key, b.store_id, p.member_id, p.points
        FROM leaderboard_points p JOIN leaderboard_boards b USING (board_id)`);
    await q.query(`DROP TABLE leaderboard_points, leaderboard_boards`);
    await q.query(`ALTER TABLE leaderboard_by_key RENAME TO leaderboard_points`);
    await q.query(`ALTER INDEX leaderboard_by_key_pkey RENAME TO leaderboard_points_pkey`);
    await q.query(`CREATE INDEX leaderboard_rank ON leaderboard_points (period, period_key, store_id, points DESC, member_id)`);
    await q.query(`ALTER TABLE analytics_daily RESET (fillfactor)`);
    await q.query(`ALTER TABLE analytics_members RESET (fillfactor)`);
    await q.query(`CREATE INDEX analytics_members_active ON analytics_members (last_active_day)`);
    await q.query(`DROP TABLE analytics_last_active`);
  }
}
