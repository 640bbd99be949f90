import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rejections and dead letters are listed in the order their transactions began (`tx_id`, the
 * writer's 64-bit transaction id), and only up to the oldest transaction still running. Their
 * ids come from a sequence, which hands them out before commit: an append that commits after a
 * later one showed its rows behind a cursor that had already moved past them, and a reader
 * following the list never saw them. A row whose transaction id is below the oldest one running
 * can no longer be joined by one that sorts before it.
 *
 * Rows from before this migration get transaction id 0 (listed first, by id), without rewriting
 * the tables; new rows take their writer's.
 */
export class CommitOrderedLists1764600000005 implements MigrationInterface {
  name = 'CommitOrderedLists1764600000005';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['rejections', 'dead_letters']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tx_id xid8 NOT NULL DEFAULT '0'`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id()`);
      await q.query(`CREATE INDEX ${table}_listed ON ${table} (tx_id, id)`);
    }
    await q.query(`DROP INDEX rejections_member`);
    await q.query(`CREATE INDEX rejections_member ON rejections (member_id, tx_id, id)`);
    await q.query(`DROP INDEX rejections_referees`);
    await q.query(`CREATE INDEX rejections_referees ON rejections ((input->>'refereeId'), tx_id, id) WHERE input->>'type' = 'referral.completed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rejections_referees, rejections_member`);
    await q.query(`CREATE INDEX rejections_referees ON rejections ((input->>'refereeId'), id) WHERE input->>'type' = 'referral.completed'`);
    await q.query(`CREATE INDEX rejections_member ON rejections (member_id, id)`);
    for (const table of ['rejections', 'dead_letters']) await q.query(`ALTER TABLE ${table} DROP COLUMN tx_id`);
  }
}
