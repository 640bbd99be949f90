import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service bookkeeping beside the log: refunds waiting for their purchase, reward stock, and the
 * lots whose expiry reminder went out. None of it is a projection of the log.
 */
export class ServiceBookkeeping1763900000001 implements MigrationInterface {
  name = 'ServiceBookkeeping1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE parked_inputs (
        scope        text        NOT NULL,
        causation_id text        NOT NULL,
        member_id    text        NOT NULL,
        wait_key     text        NOT NULL,
        input        jsonb       NOT NULL,
        parked_at    timestamptz NOT NULL,
        PRIMARY KEY (scope, causation_id)
      )`);
    await q.query(`CREATE INDEX parked_inputs_waiting ON parked_inputs (member_id, wait_key)`);
    await q.query(`
      CREATE TABLE reward_stock (
        reward_id text PRIMARY KEY,
        remaining integer NOT NULL CHECK (remaining >= 0)
      )`);
    await q.query(`
      CREATE TABLE reward_stock_claims (
        redemption_id text PRIMARY KEY,
        reward_id     text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE expiry_notices (
        member_id   text        NOT NULL,
        lot_id      text        NOT NULL,
        notified_at timestamptz NOT NULL,
        PRIMARY KEY (member_id, lot_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE expiry_notices, reward_stock_claims, reward_stock, parked_inputs`);
  }
}
