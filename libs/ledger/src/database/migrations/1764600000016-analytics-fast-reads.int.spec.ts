import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource, QueryRunner } from 'typeorm';
import { ledgerDataSourceOptions, migrateLedger } from '../data-source';
import { AnalyticsFastReads1764600000016 } from './1764600000016-analytics-fast-reads';

describe('migration 016: boards by id and members per last active day', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    db = await createTestDatabase('h26_migration_016', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 1)).initialize();
    runner = dataSource.createQueryRunner();
  });

  afterAll(async () => {
    await runner?.release();
    await dataSource?.destroy();
    await db?.drop();
  });

  it("keeps a read model written before it: every board's standings and the members' last active days", async () => {
    const migration = new AnalyticsFastReads1764600000016();
    await migration.down(runner);
    await runner.query(`INSERT INTO analytics_members (member_id, version, tier, last_active_day) VALUES
      ('m-1', 3, 'member', '2026-11-23'), ('m-2', 1, 'member', '2026-11-23'), ('m-3', 2, 'gold', '2026-11-24'), ('m-4', 1, 'member', NULL)`);
    await runner.query(`INSERT INTO leaderboard_points (period, period_key, store_id, member_id, points) VALUES
      ('day', '2026-11-23', '', 'm-1', 30), ('day', '2026-11-23', '', 'm-2', 50), ('day', '2026-11-23', 's-1', 'm-1', 30),
      ('month', '2026-11', '', 'm-1', 80), ('month', '2026-11', '', 'm-3', 80)`);

    await migration.up(runner);

    expect(await runner.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, members::int FROM analytics_last_active ORDER BY day`)).toEqual([
      { day: '2026-11-23', members: 2 },
      { day: '2026-11-24', members: 1 },
    ]);
    expect(
      await runner.query(`SELECT b.period, b.period_key, b.store_id, p.member_id, p.points::int FROM leaderboard_points p JOIN leaderboard_boards b USING (board_id)
        ORDER BY b.period, b.period_key, b.store_id, p.points DESC, p.member_id`),
    ).toEqual([
      { period: 'day', period_key: '2026-11-23', store_id: '', member_id: 'm-2', points: 50 },
      { period: 'day', period_key: '2026-11-23', store_id: '', member_id: 'm-1', points: 30 },
      { period: 'day', period_key: '2026-11-23', store_id: 's-1', member_id: 'm-1', points: 30 },
      { period: 'month', period_key: '2026-11', store_id: '', member_id: 'm-1', points: 80 },
      { period: 'month', period_key: '2026-11', store_id: '', member_id: 'm-3', points: 80 },
    ]);
    // New boards continue after the ones carried over.
    const [created] = await runner.query(`INSERT INTO leaderboard_boards (period, period_key, store_id) VALUES ('week', '2026-W48', '') RETURNING board_id`);
    expect(created.board_id).toBe(4);
  });
});
