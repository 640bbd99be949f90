import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClaimedJob, LedgerReplay, OpsJobs, auditLedger, queryOf } from '@tally/ledger';
import { IntervalRunner, Metrics } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ImportOptions, ImportsService } from '../imports/imports.service';

/** How often a runner looks for a queued job, and how often a running one beats (and writes its progress). */
const POLL_MS = 1000;
const BEAT_MS = 1000;

/**
 * Runs queued jobs one at a time in this process, beating while they run. A job found running
 * with a stopped heartbeat (its process died) is claimed again and run from the start; audit and
 * replay read the log and compare, so running one again changes nothing it already did.
 */
@Injectable()
export class JobsRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobsRunner.name);
  readonly jobs: OpsJobs;
  private readonly poller: IntervalRunner<void>;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly imports: ImportsService,
  ) {
    this.jobs = new OpsJobs(queryOf(dataSource));
    this.poller = new IntervalRunner(POLL_MS, () => this.drain());
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** Looks for work now (after a job was created) instead of at the next tick. */
  kick(): void {
    void this.poller.run().catch(() => undefined);
  }

  /** Queues an import of rows already staged under `id` (each upload is its own scope: never joined). */
  async startImport(id: string, options: ImportOptions): Promise<{ id: string; kind: string; state: string; joined: boolean; rows: number }> {
    const { job } = await this.jobs.create(id, 'import', { upload: id }, options as unknown as Record<string, unknown>);
    this.kick();
    return { id: job.id, kind: job.kind, state: job.state, joined: false, rows: options.rows };
  }

  private async drain(): Promise<void> {
    try {
      for (let job = await this.jobs.claim(); job; job = await this.jobs.claim()) await this.runOne(job);
    } catch (error) {
      this.logger.error(`job runner: ${(error as Error).message}`);
    }
  }

  private async runOne(job: ClaimedJob): Promise<void> {
    const total = await this.totalOf(job);
    const progress = this.metrics.gauge('tally_job_progress_ratio', 'Share of a running job done (0-1), by kind', ['kind']);
    let done = 0;
    await this.jobs.beat(job, done, total);
    const beating = setInterval(() => void this.jobs.beat(job, done, total).catch(() => undefined), BEAT_MS);
    const report = (count: number): void => {
      done = count;
      if (total) progress.set({ kind: job.kind }, Math.min(1, done / total));
    };
    try {
      const result = await this.execute(job, report);
      done = total ?? 0;
      await this.jobs.finish(job, result);
      progress.set({ kind: job.kind }, 1);
      this.metrics.counter('tally_jobs_total', 'Jobs finished, by kind and state', ['kind', 'state']).inc({ kind: job.kind, state: 'done' });
    } catch (error) {
      await this.jobs.fail(job, (error as Error).message);
      this.metrics.counter('tally_jobs_total', 'Jobs finished, by kind and state', ['kind', 'state']).inc({ kind: job.kind, state: 'failed' });
    } finally {
      clearInterval(beating);
    }
  }

  /** The events a job reads: its progress is counted in them. */
  private async totalOf(job: ClaimedJob): Promise<number | null> {
    if (job.kind === 'import') return Number((job.options as unknown as ImportOptions).rows);
    const [row] = (await this.dataSource.query(`SELECT count(*)::bigint AS n FROM ledger_events`)) as { n: string }[];
    return Number(row.n);
  }

  private async execute(job: ClaimedJob, report: (done: number) => void): Promise<unknown> {
    switch (job.kind) {
      case 'audit':
        return auditLedger(this.dataSource, { limit: 1000 });
      case 'replay':
        return new LedgerReplay(this.dataSource).run({ swap: job.options.swap === true });
      case 'import':
        return this.imports.run(job, report);
      default:
        throw new Error(`${job.kind as string} jobs are not run by this release`);
    }
  }
}
