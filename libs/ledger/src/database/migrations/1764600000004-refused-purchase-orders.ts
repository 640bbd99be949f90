import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Purchases refused, by member and order: a refund that arrives after its purchase was refused
 * finds that refusal here and is refused too, instead of waiting for a purchase that will never
 * earn. Partial, so the index holds refused purchases only, not every business refusal.
 */
export class RefusedPurchaseOrders1764600000004 implements MigrationInterface {
  name = 'RefusedPurchaseOrders1764600000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX rejections_refused_purchase_orders ON rejections (member_id, (input->>'orderId')) WHERE input->>'type' = 'purchase.completed'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rejections_refused_purchase_orders`);
  }
}
