import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C `traceparent` of the append that queued an outbox row, so the relay publishes the row's
 * events on `loyalty.ledger.v1` inside the trace of the input that caused them. Null when the
 * append ran untraced (tracing off, or an older row).
 */
export class OutboxTraceContext1764600000011 implements MigrationInterface {
  name = 'OutboxTraceContext1764600000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN trace_context text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN trace_context`);
  }
}
