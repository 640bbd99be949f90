import { FLAGS, FLAG_CLEARED } from '../shared/responses.openapi';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { decideClearFlag } from '@tally/earning';
import { LEDGER_CLOCK, LedgerStore } from '@tally/ledger';
import { AppError, RequestLike, Roles, callerOf, describeRole } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ClearFlagBody, FlagParams, FlagsQuery } from './flags.dto';

interface FlagRow {
  member_id: string;
  flag_id: string;
  rule_id: string;
  action: string;
  evidence: unknown;
  flagged_at: Date;
  cleared_by: string | null;
  cleared_note: string | null;
  cleared_at: Date | null;
}

/** Abuse flags (`member.flagged`, `flag.cleared` in the log): listed for review, cleared by ops. */
@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops')
export class FlagsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
  ) {}

  @Get('flags')
  @ApiOperation({ summary: 'Members flagged by abuse rules, with the rule and its evidence; open ones unless state=all' })
  @ApiOkResponse({ schema: FLAGS, description: 'Flags with their rule, action, evidence and, once cleared, who cleared them' })
  async flags(@Query() query: FlagsQuery) {
    const rows: FlagRow[] = await this.dataSource.query(
      `SELECT f.member_id, f.data->>'flagId' AS flag_id, f.data->>'ruleId' AS rule_id, f.data->>'action' AS action,
              f.data->'evidence' AS evidence, f.recorded_at AS flagged_at,
              c.data->>'actor' AS cleared_by, c.data->>'note' AS cleared_note, c.recorded_at AS cleared_at
         FROM ledger_events_expanded f
         LEFT JOIN ledger_events_expanded c
           ON c.type = 'flag.cleared' AND c.member_id = f.member_id AND c.data->>'flagId' = f.data->>'flagId'
        WHERE f.type = 'member.flagged' AND ($1::text IS NULL OR f.member_id = $1) AND ($2 = 'all' OR c.position IS NULL)
        ORDER BY f.position LIMIT $3`,
      [query.memberId ?? null, query.state, query.limit],
    );
    return {
      flags: rows.map((r) => ({
        memberId: r.member_id,
        flagId: r.flag_id,
        ruleId: r.rule_id,
        action: r.action,
        evidence: r.evidence,
        flaggedAt: r.flagged_at.toISOString(),
        ...(r.cleared_at ? { cleared: { actor: r.cleared_by, note: r.cleared_note ?? undefined, at: r.cleared_at.toISOString() } } : {}),
      })),
    };
  }

  @Post('members/:memberId/flags/:flagId/clear')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Clear an open flag after review (actor and note recorded): what it blocked is allowed again' })
  @ApiNotFoundResponse({ description: '`flag_not_found`: no such open flag (never raised, or cleared already)' })
  @ApiOkResponse({ schema: FLAG_CLEARED, description: 'The flag is cleared' })
  async clear(@Param() params: FlagParams, @Body() body: ClearFlagBody, @Req() request: RequestLike) {
    const caller = callerOf(request);
    const role = caller ? describeRole(caller) : 'ops';
    const actor = body.actor === undefined ? role : `${role}:${body.actor}`;
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
