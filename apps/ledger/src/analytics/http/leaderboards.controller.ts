import { LEADERBOARD, LEADERBOARD_RANK } from '../../shared/responses.openapi';
import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { LEDGER_CLOCK } from '@tally/ledger';
import { AppError, RequestLike, Roles } from '@tally/platform';
import { Program } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { PERIODS } from '../fold/periods';
import { BoardKey, LeaderboardQueries } from '../read/leaderboard.queries';
import { LeaderboardQuery } from './analytics.query';
import { assertMemberId, parsePeriod, periodKey, scopedStore } from './scope';

const PERIOD_PARAM = { name: 'period', enum: PERIODS as unknown as string[], description: 'day, week (ISO), month, or campaign (its window)' };

@ApiTags('leaderboards')
@ApiBearerAuth()
@Roles('read', 'store')
@Controller('leaderboards')
export class LeaderboardsController {
  constructor(
    private readonly boards: LeaderboardQueries,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  private board(request: RequestLike, rawPeriod: string, query: LeaderboardQuery): BoardKey {
    const period = parsePeriod(rawPeriod);
    const { storeId } = scopedStore(request, query.storeId);
    return { period, key: periodKey(this.program, this.clock(), period, query.key), storeId: storeId ?? '' };
  }

  @Get(':period')
  @ApiParam(PERIOD_PARAM)
  @ApiOperation({ summary: 'Top members by points earned in the period', description: 'Ties: the lower member id ranks first. Adjustments do not count.' })
  @ApiOkResponse({ schema: LEADERBOARD, description: 'Ranked entries, ties to the lower member id' })
  async top(@Req() request: RequestLike, @Param('period') period: string, @Query() query: LeaderboardQuery) {
    const board = this.board(request, period, query);
    return { period: board.period, key: board.key, storeId: board.storeId || null, entries: await this.boards.top(board, query.limit) };
  }

  @Get(':period/members/:memberId')
  @ApiParam(PERIOD_PARAM)
  @ApiOperation({ summary: "A member's rank and points in the period" })
  @ApiOkResponse({ schema: LEADERBOARD_RANK, description: "The member's rank and points" })
  async rank(@Req() request: RequestLike, @Param('period') period: string, @Param('memberId') memberId: string, @Query() query: LeaderboardQuery) {
    assertMemberId(memberId);
    const board = this.board(request, period, query);
    const rank = await this.boards.rankOf(board, memberId);
    if (!rank) throw new AppError({ status: 404, error: 'not_ranked', message: `member ${memberId} earned nothing in ${board.period} ${board.key}` });
    return { period: board.period, key: board.key, storeId: board.storeId || null, ...rank };
  }
}
