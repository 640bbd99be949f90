import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox queues one row per appending transaction, holding the positions it appended,
 * instead of one row per event: a batch of a thousand events writes (and the relay deletes) one
 * row and one index entry instead of a thousand. The relay publishes a row's events in position
 * order; a member's later transaction always queues after its earlier one (it waited on the
 * member's lock), so per-member order holds.
 */
export class OutboxPerTransaction1764600000003 implements MigrationInterface {
  name = 'OutboxPerTransaction1764600000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox RENAME TO outbox_by_event`);
    await q.query(`CREATE TABLE outbox (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, positions bigint[] NOT NULL)`);
    await q.query(`INSERT INTO outbox (positions) SELECT array_agg(position ORDER BY position) FROM outbox_by_event HAVING count(*) > 0`);
    await q.query(`DROP TABLE outbox_by_event`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE outbox_by_event (position bigint PRIMARY KEY)`);
    await q.query(`INSERT INTO outbox_by_event SELECT unnest(positions) FROM outbox`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`ALTER TABLE outbox_by_event RENAME TO outbox`);
  }
}
