import { LedgerEvent } from '@tally/contracts';
import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, StoredEventRow, toLedgerEvent } from '../read/event-row';

/** Arbitrary key of the advisory lock that makes one relay active at a time (per-member order). */
const RELAY_LOCK_KEY = 7_366_002;

export type PublishEvents = (events: LedgerEvent[]) => Promise<void>;

/**
 * Transactional outbox: every append queues its positions in `outbox` in the same transaction,
 * and the relay publishes what is queued, then removes it. An append that commits late is simply
 * queued late; nothing is read by position ranges, so nothing in flight can be skipped.
 * Delivery is at least once: a crash after publishing and before the delete publishes again.
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
      const rows: StoredEventRow[] = await runner.query(
        `SELECT ${EVENT_COLUMNS}
           FROM outbox o JOIN ledger_events e ON e.position = o.position
          ORDER BY o.position LIMIT $1 FOR UPDATE OF o SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length > 0) {
        await this.publish(rows.map(toLedgerEvent));
        await runner.query('DELETE FROM outbox WHERE position = ANY($1)', [rows.map((r) => r.position)]);
      }
      await runner.commitTransaction();
      return rows.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  async pending(): Promise<number> {
    const [{ count }] = await this.dataSource.query('SELECT count(*)::int AS count FROM outbox');
    return count;
  }
}
