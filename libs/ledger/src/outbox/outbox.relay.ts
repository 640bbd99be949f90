import { LedgerEvent } from '@tally/contracts';
import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, StoredEventRow, toLedgerEvent } from '../read/event-row';

/** Arbitrary key of the advisory lock that makes one relay active at a time (per-member order). */
const RELAY_LOCK_KEY = 7_366_002;

/** Events to publish, each with the `traceparent` of the append that wrote it (null when untraced). */
export type PublishEvents = (events: LedgerEvent[], traces: (string | null)[]) => Promise<void>;

/**
 * Transactional outbox: every append queues its positions in `outbox` (one row per transaction)
 * in the same transaction, and the relay publishes what is queued, then removes it. An append
 * that commits late is simply queued late; nothing is read by position ranges, so nothing in
 * flight can be skipped. Delivery is at least once: a crash after publishing and before the
 * delete publishes again.
 */
export class OutboxRelay {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publish: PublishEvents,
    private readonly batchSize = 500,
  ) {}

  /** Publishes one batch; returns how many events went out (0 when idle or another relay is active). */
  async relayOnce(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK_KEY]);
      if (!locked) {
        await runner.rollbackTransaction();
        return 0;
      }
      const queued = await this.claim((sql, params) => runner.query(sql, params));
      const positions = queued.flatMap((q) => q.positions);
      let published = 0;
      if (positions.length > 0) {
        const rows: StoredEventRow[] = await runner.query(
          `SELECT ${EVENT_COLUMNS} FROM ledger_events e WHERE e.position = ANY($1::bigint[]) ORDER BY e.position`,
          [positions],
        );
        const traceOf = new Map(queued.flatMap((q) => q.positions.map((position) => [String(position), q.trace_context] as const)));
        await this.publish(
          rows.map(toLedgerEvent),
          rows.map((row) => traceOf.get(String(row.position)) ?? null),
        );
        await runner.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [queued.map((q) => q.id)]);
        published = rows.length;
      }
      await runner.commitTransaction();
      return published;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * The oldest queued transactions, as many as make about one batch of events (at least one,
   * however many events it holds). Publishing them in position order keeps each member's order:
   * positions grow along a member's transactions.
   */
  private async claim(query: (sql: string, params: unknown[]) => Promise<{ id: string; positions: string[]; trace_context: string | null }[]>) {
    const rows = await query('SELECT id, positions, trace_context FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED', [this.batchSize]);
    const claimed: typeof rows = [];
    let events = 0;
    for (const row of rows) {
      if (claimed.length > 0 && events + row.positions.length > this.batchSize) break;
      claimed.push(row);
      events += row.positions.length;
    }
    return claimed;
  }

  /** Events appended and not yet published. */
  async pending(): Promise<number> {
    const [{ count }] = await this.dataSource.query('SELECT coalesce(sum(cardinality(positions)), 0)::int AS count FROM outbox');
    return count;
  }
}
