import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AUDIT, DEAD_LETTERS, PARKED, REJECTIONS, REPLAY } from '../shared/responses.openapi';
import { LedgerQueries, LedgerReplay, ParkedInputs, auditLedger } from '@tally/ledger';
import { Roles } from '@tally/platform';
import { DataSource } from 'typeorm';
import { PageQuery } from '../shared/page.query';
import { AuditQuery, ParkedQuery, RejectionsQuery, ReplayBody } from './ops.query';

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops')
export class OpsController {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly parkedInputs: ParkedInputs,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  @Get('audit')
  @ApiOperation({
    summary: 'Verify hash chains, versions, and that lots add up to balances',
    description: "Counts every violation and lists the first `limit`: the log's by position, then the balances' by member.",
  })
  @ApiOkResponse({ schema: AUDIT, description: 'The audit report' })
  audit(@Query() query: AuditQuery) {
    return auditLedger(this.dataSource, { limit: query.limit });
  }

  @Get('rejections')
  @ApiOperation({ summary: 'Business refusals with reason codes' })
  @ApiOkResponse({ schema: REJECTIONS, description: 'A page of refusals' })
  async rejections(@Query() query: RejectionsQuery) {
    const page = await this.queries.rejections({ memberId: query.memberId, after: query.after, limit: query.limit });
    return { rejections: page.items, next: page.next };
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'What went to the dead-letter topic, with reasons' })
  @ApiOkResponse({ schema: DEAD_LETTERS, description: 'A page of dead letters' })
  async deadLetters(@Query() query: PageQuery) {
    const page = await this.queries.deadLetters({ after: query.after, limit: query.limit });
    return { deadLetters: page.items, next: page.next };
  }

  @Get('parked')
  @ApiOperation({
    summary: 'Inputs waiting for what they depend on (a refund for a purchase not seen yet), oldest first',
    description: 'A refund waits until its purchase earns; one whose purchase was refused is refused instead. What is listed here is in no balance yet.',
  })
  @ApiOkResponse({ schema: PARKED, description: 'Parked inputs and how many there are' })
  async parked(@Query() query: ParkedQuery) {
    const { items, total } = await this.parkedInputs.list({ memberId: query.memberId, limit: query.limit });
    return { parked: items.map((item) => ({ ...item, parkedAt: item.parkedAt.toISOString() })), total };
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rebuild every projection from the log, compare, and swap when asked' })
  @ApiOkResponse({ schema: REPLAY, description: 'The comparison of rebuilt and live projections' })
  replay(@Body() body: ReplayBody) {
    return new LedgerReplay(this.dataSource).run({ swap: body.swap });
  }
}
