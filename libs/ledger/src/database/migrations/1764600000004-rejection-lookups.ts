import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two ways into `rejections` besides the member a refusal is recorded against, each a partial
 * index over the few rows it serves:
 * - refused purchases by member and order: a refund that arrives after its purchase was refused
 *   finds that refusal and is refused too, instead of waiting for a purchase that will never earn;
 * - refused referrals by referee: recorded against the referrer (the member the input is keyed
 *   by), they are listed for the referee too (`GET /ops/rejections?memberId=`).
 */
export class RejectionLookups1764600000004 implements MigrationInterface {
  name = 'RejectionLookups1764600000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX rejections_refused_purchase_orders ON rejections (member_id, (input->>'orderId')) WHERE input->>'type' = 'purchase.completed'`);
    await q.query(`CREATE INDEX rejections_referees ON rejections ((input->>'refereeId'), id) WHERE input->>'type' = 'referral.completed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rejections_referees, rejections_refused_purchase_orders`);
  }
}
