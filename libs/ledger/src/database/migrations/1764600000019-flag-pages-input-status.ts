import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Store flags are paged like rejections and dead letters: in the order their transactions began
 * (`tx_id`), then by `id`, and only up to the oldest transaction still running, so a reader
 * following `next` never skips a flag recorded by a batch that committed late. Flags recorded
 * before this migration get transaction id 0 and ids in the order they were flagged.
 *
 * A branch asks what became of the inputs it uploaded (`POST /ingest/status`): `ingest_uploads`
 * keeps which store uploaded each input (by topic and eventId) and the members it names, so a
 * store sees only its own and the answer is found through the members' keys; a dead letter keeps
 * the `eventId` its original bytes name, when they name one.
 */
export class FlagPagesInputStatus1764600000019 implements MigrationInterface {
  name = 'FlagPagesInputStatus1764600000019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE store_flags ADD COLUMN id bigint`);
    await q.query(
      `UPDATE store_flags f SET id = n.id FROM (SELECT flag_id, row_number() OVER (ORDER BY flagged_at, flag_id) AS id FROM store_flags) n WHERE n.flag_id = f.flag_id`,
    );
    await q.query(`CREATE SEQUENCE store_flags_id_seq OWNED BY store_flags.id`);
    await q.query(`SELECT setval('store_flags_id_seq', coalesce((SELECT max(id) FROM store_flags), 0) + 1, false)`);
    await q.query(`ALTER TABLE store_flags ALTER COLUMN id SET DEFAULT nextval('store_flags_id_seq'), ALTER COLUMN id SET NOT NULL`);
    await q.query(`ALTER TABLE store_flags ADD COLUMN tx_id xid8 NOT NULL DEFAULT '0'`);
    await q.query(`ALTER TABLE store_flags ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE UNIQUE INDEX store_flags_listed ON store_flags (tx_id, id)`);
    await q.query(`CREATE UNIQUE INDEX store_flags_id ON store_flags (id)`);

    await q.query(`
      CREATE TABLE ingest_uploads (
        scope       text        COLLATE "C" NOT NULL,
        event_id    text        COLLATE "C" NOT NULL,
        store_id    text        COLLATE "C",
        member_ids  text[]      COLLATE "C" NOT NULL,
        uploaded_at timestamptz NOT NULL,
        PRIMARY KEY (scope, event_id)
      )`);
    await q.query(`CREATE INDEX ingest_uploads_store ON ingest_uploads (store_id, event_id)`);
    await q.query(`CREATE INDEX ingest_uploads_event ON ingest_uploads (event_id)`);
    await q.query(`ALTER TABLE dead_letters ADD COLUMN event_id text COLLATE "C"`);
    await q.query(`CREATE INDEX dead_letters_event ON dead_letters (source_topic, event_id) WHERE event_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX dead_letters_event`);
    await q.query(`ALTER TABLE dead_letters DROP COLUMN event_id`);
    await q.query(`DROP TABLE ingest_uploads`);
    await q.query(`DROP INDEX store_flags_id, store_flags_listed`);
    await q.query(`ALTER TABLE store_flags DROP COLUMN tx_id, DROP COLUMN id`);
  }
}
