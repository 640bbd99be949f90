import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClaimedJob, LedgerReplay, OpsJobs, auditLedger, ledgerScopeOf, queryOf } from '@tally/ledger';
import { IntervalRunner, Metrics } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ImportOptions, ImportsService } from '../imports/imports.service';

/** How often a runner looks for a queued job, and how often a running one beats (its progress is also written as it comes). */
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
    const gauge = this.metrics.gauge('tally_job_progress_ratio', 'Share of a running job done (0-1), by kind', ['kind']);
    let done = 0;
    let total: number | null = job.kind === 'import' ? Number((job.options as unknown as ImportOptions).rows) : null;
    await this.jobs.beat(job, done, total);
    const writer = new ProgressWriter((d, t) => this.jobs.beat(job, d, t));
    const beating = setInterval(() => writer.beat(done, total), BEAT_MS);
    const report = (count: number, of?: number): void => {
      done = count;
      if (of !== undefined) total = of;
      if (total) gauge.set({ kind: job.kind }, Math.min(1, done / total));
      writer.write(done, total);
    };
    let outcome: { result: unknown } | { error: Error };
    try {
      outcome = { result: await this.execute(job, report) };
    } catch (error) {
      outcome = { error: error as Error };
    } finally {
      clearInterval(beating);
    }
    // The last steps written before the job is finished, so none lands after it.
    await writer.settled();
    const finished = this.metrics.counter('tally_jobs_total', 'Jobs finished, by kind and state', ['kind', 'state']);
    if ('result' in outcome) {
      await this.jobs.finish(job, outcome.result);
      gauge.set({ kind: job.kind }, 1);
      finished.inc({ kind: job.kind, state: 'done' });
    } else {
      await this.jobs.fail(job, outcome.error.message);
      finished.inc({ kind: job.kind, state: 'failed' });
    }
  }

  private async execute(job: ClaimedJob, report: (done: number, total?: number) => void): Promise<unknown> {
    const scope = ledgerScopeOf(job.scope);
    switch (job.kind) {
      case 'audit':
        return auditLedger(this.dataSource, { limit: 1000, scope, onProgress: report });
      case 'replay':
        return new LedgerReplay(this.dataSource).run({ swap: job.options.swap === true, scope, onProgress: report });
      case 'import':
        return this.imports.run(job, report);
      default:
        throw new Error(`${job.kind as string} jobs are not run by this release`);
    }
  }
}

/**
 * Writes a job's progress as it is reported, one write after another: every step a job reports
 * is written, in order, so a poll sees it however fast the job runs; a heartbeat between reports
 * is written only when no write is waiting (each write beats too).
 */
export class ProgressWriter {
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly save: (done: number, total: number | null) => Promise<unknown>) {}

  write(done: number, total: number | null): void {
    this.waiting += 1;
    this.queue = this.queue
      .then(() => this.save(done, total))
      // A failed write is a missed beat: the next report or heartbeat writes again.
      .catch(() => undefined)
      .then(() => {
        this.waiting -= 1;
      });
  }

  beat(done: number, total: number | null): void {
    if (this.waiting === 0) this.write(done, total);
  }

  /** Resolves once every write asked for so far is done. */
  settled(): Promise<void> {
    return this.queue;
  }
}
