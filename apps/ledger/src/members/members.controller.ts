import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BALANCE, EVENTS, LOTS, MEMBER_NOT_FOUND } from '../shared/responses.openapi';
import { ID_PATTERN } from '@tally/contracts';
import { LEDGER_CLOCK, LedgerQueries } from '@tally/ledger';
import { AppError } from '@tally/platform';
import { BalanceQuery, EventsQuery } from './members.query';

const assertMemberId = (memberId: string) => {
  if (!ID_PATTERN.test(memberId)) {
    throw new AppError({
      status: 400,
      error: 'invalid_request',
      message: 'memberId must be 1-64 characters of [A-Za-z0-9._:-]',
      fields: [{ field: 'memberId', problems: ['must be 1-64 characters of [A-Za-z0-9._:-]'] }],
    });
  }
};

const unknownMember = (memberId: string) =>
  new AppError({ status: 404, error: 'member_not_found', message: `no ledger events for member ${memberId}`, memberId });

@ApiTags('members')
@ApiBearerAuth()
@Controller('members/:memberId')
export class MembersController {
  constructor(
    private readonly queries: LedgerQueries,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  @Get('balance')
  @ApiOperation({ summary: 'Balance now, or as it was visible at `asOf`' })
  @ApiOkResponse({ schema: BALANCE, description: 'The balance' })
  @ApiNotFoundResponse({ description: MEMBER_NOT_FOUND })
  async balance(@Param('memberId') memberId: string, @Query() query: BalanceQuery) {
    assertMemberId(memberId);
    const balance = await this.queries.balance(memberId, this.clock(), query.asOf ? new Date(query.asOf) : undefined);
    if (!balance) throw unknownMember(memberId);
    return balance;
  }

  @Get('events')
  @ApiOperation({ summary: "The member's ledger events by position" })
  @ApiOkResponse({ schema: EVENTS, description: 'A page of events; `next` is the `after` of the next page, null at the end' })
  @ApiNotFoundResponse({ description: MEMBER_NOT_FOUND })
  async events(@Param('memberId') memberId: string, @Query() query: EventsQuery) {
    assertMemberId(memberId);
    if (!(await this.queries.memberExists(memberId))) throw unknownMember(memberId);
    const page = await this.queries.events(memberId, query.after, query.limit);
    return { events: page.items, next: page.next };
  }

  @Get('lots')
  @ApiOperation({ summary: 'Open lots, soonest-expiring first' })
  @ApiOkResponse({ schema: LOTS, description: 'Open lots' })
  @ApiNotFoundResponse({ description: MEMBER_NOT_FOUND })
  async lots(@Param('memberId') memberId: string) {
    assertMemberId(memberId);
    const lots = await this.queries.lots(memberId);
    if (!lots) throw unknownMember(memberId);
    return lots;
  }
}
