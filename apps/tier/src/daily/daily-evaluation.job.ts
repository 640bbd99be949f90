import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LEDGER_CLOCK } from '@tally/ledger';
import { evaluationDay } from '../tiers/tier.commands';
import { TierService } from '../tiers/tier.service';

export const TIER_JOB_SETTINGS = Symbol('TIER_JOB_SETTINGS');

export interface TierJobSettings {
  enabled: boolean;
  /** UTC hour from which the day's evaluation runs. */
  hour: number;
  /** How often the clock is looked at. */
  checkEveryMs?: number;
}

/**
 * Runs the daily evaluation once per UTC day, from the configured hour on. Several instances may run
 * it: each member's evaluation is keyed by day (`daily@<day>@<member>`), so the ledger appends it once.
 * A day missed while the service was down is evaluated when it comes back (on that later day).
 */
@Injectable()
export class DailyEvaluationJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DailyEvaluationJob.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastDay?: string;

  constructor(
    private readonly tiers: TierService,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    @Inject(TIER_JOB_SETTINGS) private readonly settings: TierJobSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    this.timer = setInterval(() => void this.tick(), this.settings.checkEveryMs ?? 60_000);
    this.timer.unref();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Evaluates today when the hour has come and today was not done by this instance yet. */
  async tick(): Promise<void> {
    if (this.running) return;
    const now = this.clock();
    const day = evaluationDay(now.toISOString());
    if (now.getUTCHours() < this.settings.hour || this.lastDay === day) return;
    this.running = this.tiers
      .evaluateDaily(now.toISOString())
      .then((summary) => {
        this.lastDay = day;
        this.logger.log(`daily tier evaluation ${day}: ${summary.membersEvaluated} members, ${summary.upgraded} upgraded, ${summary.downgraded} downgraded`);
      })
      .catch((error: unknown) => this.logger.error(`daily tier evaluation ${day} failed, retrying later: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }
}
