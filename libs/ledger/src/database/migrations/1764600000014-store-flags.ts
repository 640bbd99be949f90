import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Store-level abuse monitoring: `store_hour_points` counts the points each store granted per UTC
 * hour (what the store-points rule compares with its maximum), and `store_flags` keeps the stores
 * it flagged with their evidence, for ops to review and clear. A store is not a ledger stream (the
 * log is members' points), so its flags live beside the log, like rejections; one flag per store,
 * rule and hour.
 */
export class StoreFlags1764600000014 implements MigrationInterface {
  name = 'StoreFlags1764600000014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE store_hour_points (
        store_id text COLLATE "C" NOT NULL,
        hour     text COLLATE "C" NOT NULL,
        points   bigint NOT NULL,
        PRIMARY KEY (store_id, hour)
      )`);
    await q.query(`
      CREATE TABLE store_flags (
        flag_id      text COLLATE "C" PRIMARY KEY,
        store_id     text COLLATE "C" NOT NULL,
        rule_id      text NOT NULL,
        period       text NOT NULL,
        action       text NOT NULL,
        evidence     jsonb NOT NULL,
        flagged_at   timestamptz NOT NULL DEFAULT now(),
        cleared_by   text,
        cleared_note text,
        cleared_at   timestamptz,
        UNIQUE (store_id, rule_id, period)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE store_flags');
    await q.query('DROP TABLE store_hour_points');
  }
}
