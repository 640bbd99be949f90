import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event data is written once and read whole, never queried inside: `json` keeps the text as
 * written (about 50 bytes a row less than `jsonb`'s binary form) and skips the conversion on append.
 */
export class CompactEventData1763900000002 implements MigrationInterface {
  name = 'CompactEventData1763900000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_events ALTER COLUMN data TYPE json USING data::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_events ALTER COLUMN data TYPE jsonb USING data::jsonb`);
  }
}
