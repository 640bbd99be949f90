import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IntervalRunner } from '@tally/platform';
import { ExpirySweep } from './expiry.sweep';

export const EXPIRY_INTERVAL_MS = Symbol('EXPIRY_INTERVAL_MS');

/** Runs the sweep on an interval (0 = off), never two at once in one process; a failed sweep is retried next time. */
@Injectable()
export class ExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryJob.name);
  private readonly runner: IntervalRunner<void>;

  constructor(
    private readonly sweep: ExpirySweep,
    @Inject(EXPIRY_INTERVAL_MS) intervalMs: number,
  ) {
    this.runner = new IntervalRunner(intervalMs, () => this.sweepAndLog());
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  tick(): Promise<void> {
    return this.runner.run();
  }

  private async sweepAndLog(): Promise<void> {
    try {
      const s = await this.sweep.run();
      if (s.pointsExpired + s.pointsReleased + s.remindersSent > 0) {
        this.logger.log(
          `sweep ${s.asOf}: ${s.pointsExpired} points expired (${s.lotsExpired} lots), ${s.pointsReleased} released, ${s.remindersSent} reminders`,
        );
      }
    } catch (error) {
      this.logger.error(`expiry sweep failed, retrying next interval: ${(error as Error).message}`);
    }
  }
}
