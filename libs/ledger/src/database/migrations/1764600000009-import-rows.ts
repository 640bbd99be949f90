import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import jobs: the uploaded rows are staged (`ops_import_rows`, one per line of the file) before
 * the job is queued, so a job outlives the upload's request and a restart of its process; each
 * row's answer (`ops_import_results`) is kept for the caller to fetch and for a resumed job to
 * continue after. The ledger's own causations make a row applied twice impossible.
 */
export class ImportRows1764600000009 implements MigrationInterface {
  name = 'ImportRows1764600000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ops_import_rows (
        job_id uuid    NOT NULL,
        line   integer NOT NULL,
        text   text    NOT NULL,
        PRIMARY KEY (job_id, line)
      )`);
    await q.query(`
      CREATE TABLE ops_import_results (
        job_id    uuid    NOT NULL,
        line      integer NOT NULL,
        key       text    COLLATE "C",
        member_id text    COLLATE "C",
        status    text    NOT NULL CHECK (status IN ('applied', 'duplicate', 'refused')),
        code      text,
        message   text,
        PRIMARY KEY (job_id, line)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ops_import_results`);
    await q.query(`DROP TABLE ops_import_rows`);
  }
}
