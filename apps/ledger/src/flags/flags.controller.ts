import { FLAGS, FLAG_CLEARED, STORE_FLAG_CLEARED } from '../shared/responses.openapi';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { decideClearFlag } from '@tally/earning';
import { FlaggedRow, LEDGER_CLOCK, LedgerStore, StoreFlags, flagOfRow } from '@tally/ledger';
import { AppError, RequestLike, Roles, callerOf, describeRole } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ClearFlagBody, FlagParams, FlagsQuery, StoreFlagParams } from './flags.dto';

interface FlagRow extends FlaggedRow {
  position: string;
  member_id: string;
}

/**
 * The lists a query asks for: a kind names one, and so does a member's or a store's id (or a
 * cursor of one kind); asking for one kind with the other's filter or cursor is a mistake, not an
 * empty page.
 */
const flagKinds = (query: FlagsQuery): { member: boolean; store: boolean } => {
  const member = query.kind === 'member' || query.memberId !== undefined;
  const store = query.kind === 'store' || query.storeId !== undefined;
  if (member && store) throw invalidFlagsQuery('memberId and storeId (or a kind and the other kind’s id) ask for two kinds at once: ask for one');
  if (member && query.storeAfter !== undefined) throw invalidFlagsQuery('storeAfter continues store flags, which this query does not list');
  if (store && query.memberAfter !== undefined) throw invalidFlagsQuery('memberAfter continues member flags, which this query does not list');
  return member || store ? { member, store } : { member: true, store: true };
};

const invalidFlagsQuery = (message: string) => new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_request', message });

/** Who clears: the token's role, and the name the body gives, if any. */
const actorOf = (request: RequestLike, name: string | undefined): string => {
  const caller = callerOf(request);
  const role = caller ? describeRole(caller) : 'ops';
  return name === undefined ? role : `${role}:${name}`;
};

/**
 * Abuse flags: members' (`member.flagged`, `flag.cleared` in the log) and stores' (`store_flags`,
 * beside the log): listed for review, cleared by ops.
 */
@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops')
export class FlagsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly storeFlags: StoreFlags,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  @Get('flags')
  @ApiOperation({
    summary: 'Members and stores flagged by abuse rules, with the rule and its evidence; open ones unless state=all',
    description:
      'Member flags and store flags are two lists, each paged on its own: `kind` (or `memberId`, `storeId`) asks for one, and ' +
      '`next.member` / `next.store` continue each (as `memberAfter` / `storeAfter`), null once it is exhausted. Without a kind, ' +
      'a page holds up to `limit` of each, member flags first.',
  })
  @ApiBadRequestResponse({ description: '`invalid_request`: a kind and a filter or cursor of the other kind (or memberId and storeId together)' })
  @ApiOkResponse({ schema: FLAGS, description: 'Flags with their rule, action, evidence and, once cleared, who cleared them, and where each list goes on' })
  async flags(@Query() query: FlagsQuery) {
    const kinds = flagKinds(query);
    const flags: object[] = [];
    const next: { member?: string | null; store?: string | null } = {};
    if (kinds.member) {
      const page = await this.memberFlags(query);
      flags.push(...page.items);
      next.member = page.next;
    }
    if (kinds.store) {
      const page = await this.storeFlags.list({ storeId: query.storeId, state: query.state, after: query.storeAfter ?? '0', limit: query.limit });
      flags.push(...page.items);
      next.store = page.next;
    }
    return { flags, next };
  }

  /** Member flags in log order (`member.flagged` events), after the position `memberAfter`. */
  private async memberFlags(query: FlagsQuery) {
    const rows: FlagRow[] = await this.dataSource.query(
      `SELECT f.position, f.member_id, f.data->>'flagId' AS flag_id, f.data->>'ruleId' AS rule_id, f.data->>'action' AS action,
              f.data->'evidence' AS evidence, f.recorded_at AS flagged_at,
              c.data->>'actor' AS cleared_by, c.data->>'note' AS cleared_note, c.recorded_at AS cleared_at
         FROM ledger_events_expanded f
         LEFT JOIN ledger_events_expanded c
           ON c.type = 'flag.cleared' AND c.member_id = f.member_id AND c.data->>'flagId' = f.data->>'flagId'
        WHERE f.type = 'member.flagged' AND f.position > $4::bigint AND ($1::text IS NULL OR f.member_id = $1) AND ($2 = 'all' OR c.position IS NULL)
        ORDER BY f.position LIMIT $3`,
      [query.memberId ?? null, query.state, query.limit, query.memberAfter ?? '0'],
    );
    const items = rows.map((r) => ({ memberId: r.member_id, ...flagOfRow(r) }));
    return { items, next: rows.length === query.limit ? String(rows[rows.length - 1].position) : null };
  }

  @Post('stores/:storeId/flags/:flagId/clear')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Clear an open store flag after review (actor and note recorded)' })
  @ApiNotFoundResponse({ description: '`flag_not_found`: no such open store flag (never raised, or cleared already)' })
  @ApiOkResponse({ schema: STORE_FLAG_CLEARED, description: 'The store flag is cleared' })
  async clearStore(@Param() params: StoreFlagParams, @Body() body: ClearFlagBody, @Req() request: RequestLike) {
    const actor = actorOf(request, body.actor);
    const { storeId, flagId } = params;
    if (!(await this.storeFlags.clear(storeId, flagId, actor, body.note, this.clock()))) {
      throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'flag_not_found', message: `store ${storeId} has no open flag ${flagId}`, flagId });
    }
    return { storeId, flagId, actor, ...(body.note === undefined ? {} : { note: body.note }) };
  }

  @Post('members/:memberId/flags/:flagId/clear')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Clear an open flag after review (actor and note recorded): what it blocked is allowed again' })
  @ApiNotFoundResponse({ description: '`flag_not_found`: no such open flag (never raised, or cleared already)' })
  @ApiOkResponse({ schema: FLAG_CLEARED, description: 'The flag is cleared' })
  async clear(@Param() params: FlagParams, @Body() body: ClearFlagBody, @Req() request: RequestLike) {
    const actor = actorOf(request, body.actor);
    const occurredAt = this.clock().toISOString();
    const { memberId, flagId } = params;
    const result = await this.store.executeOne<{ ok: boolean; ruleId?: string }>({
      scope: 'flag-clear',
      causationId: `${memberId}.${flagId}`,
      memberIds: [memberId],
      decide: (states) => {
        const decision = decideClearFlag(states[memberId], { flagId, actor, note: body.note, occurredAt });
        if (!decision.ok) return { kind: 'skip', result: { ok: false } };
        return { kind: 'append', events: decision.events, result: { ok: true, ruleId: decision.ruleId } };
      },
    });
    const done = result.status === 'appended' || (result.status === 'duplicate' && (result.result as { ok: boolean }).ok);
    if (!done) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'flag_not_found', message: `member ${memberId} has no open flag ${flagId}`, flagId });
    return { memberId, flagId, actor, ...(body.note === undefined ? {} : { note: body.note }) };
  }
}
