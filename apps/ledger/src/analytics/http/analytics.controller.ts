import {
  ANALYTICS_DAILY,
  ANALYTICS_LAG,
  ANALYTICS_LIABILITY,
  ANALYTICS_OVERVIEW,
  ANALYTICS_REBUILD,
  ANALYTICS_REWARDS,
  ANALYTICS_STORES,
  ANALYTICS_TIERS,
} from '../../shared/responses.openapi';
import { Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LEDGER_CLOCK } from '@tally/ledger';
import { RequestLike, Roles } from '@tally/platform';
import { Program } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { AnalyticsQueries, breakageRate } from '../read/analytics.queries';
import { AnalyticsReadModel } from '../store/read-model.service';
import { AnalyticsRangeQuery, DailyQuery } from './analytics.query';
import { dayRange, scopedStore } from './scope';

const RANGE_NOTE = 'Days are business days in the programme time zone; a store token sees its own store only.';

@ApiTags('analytics')
@ApiBearerAuth()
@Roles('read', 'store')
@Controller('analytics')
export class AnalyticsController {
  constructor(
    private readonly queries: AnalyticsQueries,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  private range(request: RequestLike, query: AnalyticsRangeQuery) {
    const scope = scopedStore(request, query.storeId);
    return { scope, range: dayRange(this.program, this.clock(), query, scope.storeId) };
  }

  @Get('overview')
  @ApiOperation({
    summary: 'Points earned and burnt, breakage, liability, active members and tier mix',
    description: `${RANGE_NOTE} Liability, members and the tier mix are the programme's (points are one balance across stores): null for a store token.`,
  })
  @ApiOkResponse({ schema: ANALYTICS_OVERVIEW, description: 'Totals, breakage, and for the whole programme liability, active members and tiers' })
  async overview(@Req() request: RequestLike, @Query() query: AnalyticsRangeQuery) {
    const { scope, range } = this.range(request, query);
    const programme = scope.allStores && range.storeId === undefined;
    // Independent reads on connections of the pool, side by side: the overview waits for the slowest, not the sum.
    const [totals, liability, activeMembers, tiers, lag] = await Promise.all([
      this.queries.totals(range),
      programme ? this.queries.liability() : null,
      programme ? this.queries.activeMembers(range) : null,
      programme ? this.queries.tiers(range) : null,
      this.queries.lag(this.clock()),
    ]);
    return {
      from: range.from,
      to: range.to,
      storeId: range.storeId ?? null,
      timeZone: this.program.timeZone,
      totals,
      breakageRate: breakageRate(totals),
      liability,
      activeMembers,
      tiers: tiers?.distribution ?? null,
      lag,
    };
  }

  @Get('daily')
  @ApiOperation({ summary: 'Points per business day, optionally per store, channel or reason', description: RANGE_NOTE })
  @ApiOkResponse({ schema: ANALYTICS_DAILY, description: 'Points per day (and per group when asked)' })
  async daily(@Req() request: RequestLike, @Query() query: DailyQuery) {
    const { range } = this.range(request, query);
    return { from: range.from, to: range.to, storeId: range.storeId ?? null, groupBy: query.groupBy, days: await this.queries.daily(range, query.groupBy) };
  }

  @Get('stores')
  @ApiOperation({ summary: 'Stores compared over the days', description: RANGE_NOTE })
  @ApiOkResponse({ schema: ANALYTICS_STORES, description: 'Each store over the range' })
  async stores(@Req() request: RequestLike, @Query() query: AnalyticsRangeQuery) {
    const { range } = this.range(request, query);
    const stores = await this.queries.stores(range);
    return { from: range.from, to: range.to, stores: stores.map((s) => ({ ...s, breakageRate: breakageRate(s) })) };
  }

  @Get('rewards')
  @ApiOperation({ summary: 'Redemptions by reward', description: RANGE_NOTE })
  @ApiOkResponse({ schema: ANALYTICS_REWARDS, description: 'Redemptions per reward' })
  async rewards(@Req() request: RequestLike, @Query() query: AnalyticsRangeQuery) {
    const { range } = this.range(request, query);
    return { from: range.from, to: range.to, storeId: range.storeId ?? null, rewards: await this.queries.rewards(range) };
  }

  @Get('tiers')
  @Roles('read')
  @ApiOperation({ summary: 'Members per tier now, and tier moves per day', description: "The programme's: ops and read only." })
  @ApiOkResponse({ schema: ANALYTICS_TIERS, description: 'Tier mix now and moves per day' })
  async tiers(@Req() request: RequestLike, @Query() query: AnalyticsRangeQuery) {
    const { range } = this.range(request, query);
    return { from: range.from, to: range.to, ...(await this.queries.tiers(range)) };
  }

  @Get('liability')
  @Roles('read')
  @ApiOperation({ summary: 'Outstanding points (available + pending + held) and their cash value', description: "The programme's: ops and read only." })
  @ApiOkResponse({ schema: ANALYTICS_LIABILITY, description: 'Outstanding points and their cash value' })
  liability() {
    return this.queries.liability();
  }

  @Get('lag')
  @ApiOperation({ summary: 'How far the read model is behind the log' })
  @ApiOkResponse({ schema: ANALYTICS_LAG, description: 'Positions and seconds behind the log' })
  lag() {
    return this.queries.lag(this.clock());
  }
}

@ApiTags('analytics')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops/analytics')
export class AnalyticsOpsController {
  constructor(private readonly readModel: AnalyticsReadModel) {}

  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rebuild the analytics read model from the log',
    description: 'The consumer waits meanwhile and then skips what the rebuild applied.',
  })
  @ApiOkResponse({ schema: ANALYTICS_REBUILD, description: 'Events applied by the rebuild' })
  rebuild() {
    return this.readModel.rebuild();
  }
}
