import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refusal is recorded against one member (the one whose state refused it) but concerns every
 * member its command touched: the referee of a refused referral, the recipient of a refused
 * transfer. `related_member_ids` holds those others, so a member's rejections list finds them
 * without the ledger knowing which input carries which member. Rows of earlier refusals get the
 * members the index it replaces found: the referees of refused referrals.
 */
export class RejectionRelatedMembers1764600000020 implements MigrationInterface {
  name = 'RejectionRelatedMembers1764600000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rejections ADD COLUMN related_member_ids text[]`);
    await q.query(
      `UPDATE rejections SET related_member_ids = ARRAY[input->>'refereeId']
        WHERE input->>'type' = 'referral.completed' AND input->>'refereeId' IS DISTINCT FROM member_id AND input->>'refereeId' IS NOT NULL`,
    );
    await q.query(`CREATE INDEX rejections_related_members ON rejections USING gin (related_member_ids) WHERE related_member_ids IS NOT NULL`);
    await q.query(`DROP INDEX rejections_referees`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX rejections_referees ON rejections ((input->>'refereeId'), tx_id, id) WHERE input->>'type' = 'referral.completed'`);
    await q.query(`DROP INDEX rejections_related_members`);
    await q.query(`ALTER TABLE rejections DROP COLUMN related_member_ids`);
  }
}
