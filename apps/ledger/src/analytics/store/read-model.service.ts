import { Inject, Injectable } from '@nestjs/common';
import { LedgerEventMessage } from '@tally/contracts';
import { StoredEventRow, toLedgerEvent } from '@tally/ledger';
import { Metrics } from '@tally/platform';
import { Program, businessDay } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { DataSource, QueryRunner } from 'typeorm';
import { FoldContext } from '../fold/analytics.fold';
import { ANALYTICS_LOCK_KEY, READ_MODEL_TABLES, RunQuery, applyToReadModel } from './analytics.writer';

/** Events read from the log per step of a rebuild. */
const REBUILD_PAGE = 5_000;

export interface RebuildReport {
  eventsApplied: number;
  ms: number;
}

/** Applies ledger events to the analytics read model, and rebuilds it from the log. */
@Injectable()
export class AnalyticsReadModel {
  readonly context: FoldContext;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PROGRAM) program: Program,
    private readonly metrics: Metrics,
  ) {
    this.context = { dayOf: (iso) => businessDay(program, iso), campaigns: program.campaigns, baseTier: program.tiers[0]?.name ?? 'member' };
  }

  /** One transaction: the events are in the read model afterwards, once, whatever was applied before. */
  async apply(events: readonly LedgerEventMessage[]): Promise<number> {
    if (events.length === 0) return 0;
    const deltas = await this.inTransaction((query) => applyToReadModel(query, events, this.context));
    if (deltas.lastRecordedAt) {
      this.metrics
        .gauge('tally_analytics_lag_seconds', 'Seconds from the append of the last event applied to the analytics read model to its application')
        .set(Math.max(0, (Date.now() - Date.parse(deltas.lastRecordedAt)) / 1000));
    }
    this.metrics.counter('tally_analytics_events_applied_total', 'Ledger events applied to the analytics read model').inc(deltas.applied);
    return deltas.applied;
  }

  /**
   * Empties the read model and folds the whole log again, in one transaction under the read model's
   * lock: the consumer waits meanwhile and then skips what the rebuild applied (by version).
   */
  async rebuild(): Promise<RebuildReport> {
    const started = Date.now();
    const eventsApplied = await this.inTransaction(async (query) => {
      await query('SELECT pg_advisory_xact_lock($1)', [ANALYTICS_LOCK_KEY]);
      await query(`TRUNCATE ${READ_MODEL_TABLES.join(', ')}`);
      await query(`UPDATE analytics_progress SET position = 0, last_recorded_at = NULL, applied_at = now(), events_applied = 0`);
      let after = '0';
      let applied = 0;
      for (;;) {
        const rows = (await query(
          `SELECT e.position, e.member_id, e.version, e.event_id, e.type, e.data, e.occurred_at, e.recorded_at, e.causation_id, e.hash,
                  NULL::bytea AS prev_hash
             FROM ledger_events e WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
          [after, REBUILD_PAGE],
        )) as StoredEventRow[];
        if (rows.length === 0) return applied;
        applied += (await applyToReadModel(query, rows.map(toLedgerEvent), this.context)).applied;
        after = String(rows[rows.length - 1].position);
      }
    });
    return { eventsApplied, ms: Date.now() - started };
  }

  private async inTransaction<T>(work: (query: RunQuery) => Promise<T>): Promise<T> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await work((sql, parameters) => runner.query(sql, parameters));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
