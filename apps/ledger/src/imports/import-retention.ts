import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IntervalRunner } from '@tally/platform';
import { IMPORT_RETENTION_DAYS } from '../ledger.config';
import { ImportsService } from './imports.service';

/** How often finished imports past their retention are looked for. */
const SWEEP_MS = 60 * 60 * 1000;

/**
 * Removes the staged rows and per-row results of import jobs that finished more than
 * `TALLY_IMPORT_RETENTION_DAYS` ago: a million-row file is a few hundred MB that nobody reads
 * once its results were fetched. At start, then hourly.
 */
@Injectable()
export class ImportRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImportRetention.name);
  private readonly sweeper: IntervalRunner<string[]>;

  constructor(
    private readonly imports: ImportsService,
    @Inject(IMPORT_RETENTION_DAYS) readonly days: number,
  ) {
    this.sweeper = new IntervalRunner(SWEEP_MS, () => this.imports.rows.removeFinished(this.days));
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
    void this.sweep().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }

  /** One sweep now: the jobs whose rows it removed. */
  async sweep(): Promise<string[]> {
    try {
      const cleared = await this.sweeper.run();
      if (cleared.length > 0) this.logger.log(`removed the staged rows and results of ${cleared.length} import jobs finished over ${this.days} days ago`);
      return cleared;
    } catch (error) {
      this.logger.error(`import retention: ${(error as Error).message}`);
      throw error;
    }
  }
}
