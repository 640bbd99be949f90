import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CommandResult, LEDGER_CLOCK, LedgerStore, forEachMemberPage, memberIdsOf } from '@tally/ledger';
import { AppError, Metrics } from '@tally/platform';
import { Program } from '@tally/program';
import { FloorOutcome, TierOutcome, tierLadder, tierOrderOf } from '@tally/tiers';
import { DataSource } from 'typeorm';
import { dailyEvaluationCommand, evaluationDay, tierFloorCommand, upgradeCommand } from './tier.commands';
import { PROGRAM } from '@tally/service-kit';

/** Members evaluated per ledger transaction by the daily evaluation. */
export const DAILY_BATCH = 500;

export interface UpgradeTrigger {
  memberId: string;
  /** Version of the ledger event that moved the member's qualifying points. */
  version: number;
}

export interface UpgradeSummary {
  checked: number;
  upgraded: number;
}

export interface DailyEvaluationSummary {
  asOf: string;
  day: string;
  membersEvaluated: number;
  /** Upgrades whose check on the ledger event never came. */
  upgraded: number;
  downgraded: number;
  protected: number;
  alreadyEvaluated: number;
}

export interface TierFloorResult {
  memberId: string;
  from: string;
  tier: string;
  floor: string;
  changed: boolean;
}

const countAppended = <R>(results: CommandResult<R>[]) => results.filter((r) => r.status === 'appended').length;

/** The tier decisions against the ledger: upgrades on ledger events, the daily evaluation, ops floors. */
@Injectable()
export class TierService {
  constructor(
    private readonly store: LedgerStore,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    private readonly metrics: Metrics,
  ) {}

  now(): string {
    return this.clock().toISOString();
  }

  /** One command per member, keyed by the member's latest triggering event. */
  async upgrade(triggers: UpgradeTrigger[], asOf: string = this.now()): Promise<UpgradeSummary> {
    const latest = new Map<string, number>();
    for (const t of triggers) latest.set(t.memberId, Math.max(latest.get(t.memberId) ?? 0, t.version));
    if (latest.size === 0) return { checked: 0, upgraded: 0 };
    const commands = [...latest].map(([memberId, version]) => upgradeCommand(memberId, version, asOf, this.program));
    const upgraded = countAppended(await this.store.execute(commands));
    this.metrics.counter('tally_tier_changes_total', 'Tier changes appended, by cause', ['cause']).inc({ cause: 'upgrade' }, upgraded);
    return { checked: commands.length, upgraded };
  }

  /**
   * Every member above the lowest tier (or on a tier the program dropped), and every member on the
   * lowest tier who ever earned enough for the next one, in batches of commands.
   */
  async evaluateDaily(asOfInput?: string): Promise<DailyEvaluationSummary> {
    const asOf = new Date(asOfInput ?? this.now()).toISOString();
    const [lowest, next] = tierLadder(this.program);
    const summary: DailyEvaluationSummary = {
      asOf,
      day: evaluationDay(asOf),
      membersEvaluated: 0,
      upgraded: 0,
      downgraded: 0,
      protected: 0,
      alreadyEvaluated: 0,
    };
    const rank = new Map(tierLadder(this.program).map((tier, i) => [tier.name, i]));
    const membersToEvaluate = async (after: string, limit: number) =>
      memberIdsOf(
        await this.dataSource.query(
          `SELECT member_id FROM member_state WHERE (tier <> $1 OR lifetime_earned >= $4) AND member_id > $2 ORDER BY member_id LIMIT $3`,
          [lowest?.name ?? '', after, limit, next?.threshold ?? Number.MAX_SAFE_INTEGER],
        ),
      );
    await forEachMemberPage(membersToEvaluate, DAILY_BATCH, async (memberIds) => {
      const results = await this.store.execute(memberIds.map((memberId) => dailyEvaluationCommand(memberId, asOf, this.program)));
      summary.membersEvaluated += results.length;
      for (const result of results) {
        if (result.status === 'duplicate') summary.alreadyEvaluated += 1;
        else if (result.status === 'appended') {
          const { from, to } = result.result as TierOutcome;
          if ((rank.get(to) ?? -1) > (rank.get(from) ?? Infinity)) summary.upgraded += 1;
          else summary.downgraded += 1;
        } else if ((result.result as TierOutcome).protectedUntil) summary.protected += 1;
      }
    });
    this.metrics
      .counter('tally_tier_changes_total', 'Tier changes appended, by cause', ['cause'])
      .inc({ cause: 'daily-evaluation' }, summary.downgraded + summary.upgraded);
    return summary;
  }

  async setFloor(memberId: string, tier: string, reason: string, actor: string): Promise<TierFloorResult> {
    const known = tierOrderOf(this.program);
    if (!known.includes(tier)) throw unknownTier(tier, known);
    const command = tierFloorCommand(memberId, { tier, reason, actor }, `floor@${randomUUID()}`, this.now(), this.program);
    const result = await this.store.executeOne(command);
    const outcome = result.result as FloorOutcome;
    switch (outcome.status) {
      case 'unknown-member':
        throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'member_not_found', message: `no member ${memberId}` });
      case 'unknown-tier':
        throw unknownTier(tier, outcome.knownTiers);
      case 'set':
        return { memberId, from: outcome.from, tier: outcome.tier, floor: outcome.floor, changed: outcome.changed };
    }
  }
}

const unknownTier = (tier: string, knownTiers: string[]) =>
  new AppError({ status: HttpStatus.BAD_REQUEST, error: 'unknown_tier', message: `no tier ${tier} in the program`, tier, knownTiers });
