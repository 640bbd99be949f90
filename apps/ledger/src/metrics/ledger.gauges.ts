import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '@tally/platform';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { readOutboxLag } from '../lag/lag.service';

/**
 * Gauges read from PostgreSQL when Prometheus scrapes: how far the outbox relay is behind (the
 * oldest unrelayed event's age), dead letters by reason, and jobs by state. Reading them on scrape
 * keeps them true whichever ledger instance relays or runs the jobs (a running job's progress too).
 */
@Injectable()
export class LedgerGauges implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const dataSource = this.dataSource;
    new Gauge({
      name: 'tally_outbox_lag_seconds',
      help: 'Age of the oldest ledger event not yet relayed to Kafka (0 when the outbox is empty)',
      registers,
      async collect() {
        this.set((await readOutboxLag(dataSource)).oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'tally_dead_letters',
      help: 'Dead letters stored, by reason',
      labelNames: ['reason'],
      registers,
      async collect() {
        const rows = (await dataSource.query(`SELECT reason, count(*)::float8 AS n FROM dead_letters GROUP BY reason`)) as { reason: string; n: number }[];
        this.reset();
        for (const row of rows) this.set({ reason: row.reason }, row.n);
      },
    });
    new Gauge({
      name: 'tally_jobs',
      help: 'Ops jobs by kind and state',
      labelNames: ['kind', 'state'],
      registers,
      async collect() {
        const rows = (await dataSource.query(`SELECT kind, state, count(*)::float8 AS n FROM ops_jobs GROUP BY kind, state`)) as {
          kind: string;
          state: string;
          n: number;
        }[];
        this.reset();
        for (const row of rows) this.set({ kind: row.kind, state: row.state }, row.n);
      },
    });
    new Gauge({
      name: 'tally_job_units',
      help: 'Running jobs: units done and in all (events for audit and replay, rows for import), by job and kind',
      labelNames: ['id', 'kind', 'of'],
      registers,
      async collect() {
        const rows = (await dataSource.query(`SELECT id, kind, done::float8 AS done, total::float8 AS total FROM ops_jobs WHERE state = 'running'`)) as {
          id: string;
          kind: string;
          done: number;
          total: number | null;
        }[];
        this.reset();
        for (const row of rows) {
          this.set({ id: row.id, kind: row.kind, of: 'done' }, row.done);
          if (row.total !== null) this.set({ id: row.id, kind: row.kind, of: 'total' }, row.total);
        }
      },
    });
  }
}
