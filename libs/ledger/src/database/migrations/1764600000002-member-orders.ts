import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `member_orders`: each purchase's order as its events left it (points earned, amount, what refunds
 * clawed back), a projection of the log like the balances. It used to live in the folded member
 * state, which then grew with every purchase a member ever made; now a refund or a repeated
 * order loads only the order it names.
 */
export class MemberOrders1764600000002 implements MigrationInterface {
  name = 'MemberOrders1764600000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE member_orders (
        member_id      text    COLLATE "C" NOT NULL,
        order_id       text    COLLATE "C" NOT NULL,
        points         bigint  NOT NULL,
        amount_minor   bigint  NOT NULL,
        clawed_back    bigint  NOT NULL,
        refunded_minor bigint  NOT NULL,
        refund_ids     text[]  NOT NULL,
        PRIMARY KEY (member_id, order_id)
      ) WITH (fillfactor = 90)`);
    // The orders of events appended before, as the fold makes them: a purchase's earning opens its
    // order, clawbacks of an opened order add to it. (Positions are the stored layouts of
    // points.earned and points.clawed-back; a replay compares the result with the fold's own.)
    await q.query(`
      INSERT INTO member_orders
      SELECT member_id, order_id, sum(points), sum(amount_minor), sum(clawed_back), sum(refunded_minor),
             coalesce(array_agg(refund_id ORDER BY version) FILTER (WHERE refund_id IS NOT NULL), '{}')
        FROM (
          SELECT member_id, version, data->>8 AS order_id, (data->>0)::bigint AS points, coalesce((data->>9)::bigint, 0) AS amount_minor,
                 0 AS clawed_back, 0 AS refunded_minor, NULL AS refund_id, true AS opens
            FROM ledger_events WHERE type = 'points.earned' AND data->>3 = 'purchase' AND data->>8 IS NOT NULL
          UNION ALL
          SELECT member_id, version, data->>1, 0, 0, (data->>0)::bigint, coalesce((data->>5)::bigint, 0), data->>2, false
            FROM ledger_events WHERE type = 'points.clawed-back'
        ) x
       GROUP BY member_id, order_id
      HAVING bool_or(opens)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE member_orders`);
  }
}
