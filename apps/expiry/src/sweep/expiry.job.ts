import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ExpirySweep } from './expiry.sweep';

export const EXPIRY_INTERVAL_MS = Symbol('EXPIRY_INTERVAL_MS');

/** Runs the sweep on an interval (0 = off), never two at once in one process; a failed sweep is retried next time. */
@Injectable()
export class ExpiryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryJob.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly sweep: ExpirySweep,
    @Inject(EXPIRY_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep
      .run()
      .then((s) => {
        if (s.pointsExpired + s.pointsReleased + s.remindersSent > 0) {
          this.logger.log(`sweep ${s.asOf}: ${s.pointsExpired} points expired (${s.lotsExpired} lots), ${s.pointsReleased} released, ${s.remindersSent} reminders`);
        }
      })
      .catch((error: unknown) => this.logger.error(`expiry sweep failed, retrying next interval: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }
}
