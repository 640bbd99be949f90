import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { LEDGER_CLOCK, LedgerCommand, LedgerStore, forEachMemberPage, memberIdsOf } from '@tally/ledger';
import { IntervalRunner, Metrics } from '@tally/platform';
import { decideExpireHolds } from '@tally/redemption';
import { DataSource } from 'typeorm';

export const HOLD_EXPIRY_OPTIONS = Symbol('HOLD_EXPIRY_OPTIONS');
export const HOLD_EXPIRY_SCOPE = 'hold-expiry';

export interface HoldExpiryOptions {
  /** Milliseconds between sweeps; 0 runs no timer (sweeps only when called). */
  intervalMs: number;
  /** Members per transaction. */
  batchSize?: number;
}

export interface SweepReport {
  asOf: string;
  members: number;
  holdsReleased: number;
  pointsReleased: number;
}

interface ExpiryResult {
  holdIds: string[];
  points: number;
}

/**
 * Releases holds whose ttl is over. Every instance may run it: members are locked by the store, a
 * hold another instance released meanwhile is no longer due (its command decides nothing), and a
 * sweep that overlaps the previous one in this process is skipped.
 */
@Injectable()
export class HoldExpiryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HoldExpiryJob.name);
  private readonly runner: IntervalRunner<SweepReport>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly metrics: Metrics,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    @Inject(HOLD_EXPIRY_OPTIONS) private readonly options: HoldExpiryOptions,
  ) {
    this.runner = new IntervalRunner(options.intervalMs, () => this.sweepAndLog());
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  /** Before the connection pool closes (on application shutdown): a sweep in progress finishes first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  /** One sweep at the clock's time; concurrent calls share the sweep in progress. */
  sweep(): Promise<SweepReport> {
    return this.runner.run();
  }

  private async sweepAndLog(): Promise<SweepReport> {
    try {
      const report = await this.sweepOnce();
      if (report.holdsReleased > 0) this.logger.log(report, 'expired holds released');
      return report;
    } catch (error) {
      this.logger.error({ err: error }, `hold expiry sweep failed: ${(error as Error).message}`);
      throw error;
    }
  }

  private async sweepOnce(): Promise<SweepReport> {
    const asOf = this.clock().toISOString();
    const batchSize = this.options.batchSize ?? 100;
    const report: SweepReport = { asOf, members: 0, holdsReleased: 0, pointsReleased: 0 };
    const membersDue = async (after: string, limit: number) =>
      memberIdsOf(
        await this.dataSource.query(`SELECT DISTINCT member_id FROM open_holds WHERE expires_at <= $1 AND member_id > $2 ORDER BY member_id LIMIT $3`, [
          asOf,
          after,
          limit,
        ]),
      );
    await forEachMemberPage(membersDue, batchSize, async (memberIds) => {
      const results = await this.store.execute(memberIds.map((memberId) => this.commandFor(memberId, asOf)));
      for (const result of results) {
        if (result.status !== 'appended') continue;
        report.members += 1;
        report.holdsReleased += result.result.holdIds.length;
        report.pointsReleased += result.result.points;
      }
    });
    this.metrics.counter('tally_redeem_holds_expired_total', 'Holds released because their ttl ended').inc(report.holdsReleased);
    return report;
  }

  private commandFor(memberId: string, asOf: string): LedgerCommand<ExpiryResult> {
    return {
      scope: HOLD_EXPIRY_SCOPE,
      causationId: `${memberId}@${asOf}`,
      memberIds: [memberId],
      decide: (states) => decideExpireHolds(states[memberId], asOf),
    };
  }
}
