import { JOB, JOBS, JOB_CREATED } from '../shared/responses.openapi';
import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { JobView, ledgerScopeOf, scopeProblem } from '@tally/ledger';
import { AppError, RequestLike, RouteBodyConfig, Roles } from '@tally/platform';
import { actorOfRequest } from '../adjustments/adjustments.service';
import { ImportsService } from '../imports/imports.service';
import { LimitQuery } from '../shared/page.query';
import { CreateJobRequest } from './job.dto';
import { JobsRunner } from './jobs.runner';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SCOPE_KEYS = new Set(['memberIds', 'memberRange', 'from', 'to']);

const invalidScope = (message: string): AppError => new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_scope', message });

/**
 * A scope the job can run as asked, or 400 `invalid_scope`. Unknown keys are refused here, not
 * stripped as elsewhere: a misspelt `memberIds` would otherwise widen an audit to the whole ledger.
 */
const checkScope = (raw: unknown, scope: Record<string, unknown>, swap: boolean): void => {
  const unknown = raw && typeof raw === 'object' ? Object.keys(raw).filter((key) => !SCOPE_KEYS.has(key)) : [];
  if (unknown.length > 0) throw invalidScope(`unknown scope fields: ${unknown.join(', ')}; a scope has ${[...SCOPE_KEYS].join(', ')}`);
  const problem = scopeProblem(ledgerScopeOf(scope));
  if (problem) throw invalidScope(problem);
  if (swap && Object.keys(scope).length > 0) throw invalidScope('only a replay of the whole ledger swaps: leave out the scope, or swap');
};

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops/jobs')
export class JobsController {
  constructor(
    private readonly runner: JobsRunner,
    private readonly imports: ImportsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start an audit, a replay or an import (with `rows`) as a job; poll GET /ops/jobs/{id}',
    description:
      'An audit or a replay covers its `scope`: members by list (`memberIds`) and by id range (`memberRange`, both ends included), and with `from`/`to` the members with an event recorded in that time (see docs/operations.md); no scope, the whole ledger. Progress counts members. ' +
      'An import job decides each opening-balance row once (its key: `rowId`, else the member); its results are at GET /ops/jobs/{id}/results. A job of the same kind and scope already queued or running is joined (its id is answered, `joined: true`), not started twice. Jobs are kept in PostgreSQL: a ledger restart resumes them or reports them failed.',
  })
  @ApiAcceptedResponse({ schema: JOB_CREATED, description: 'The job, new or the running one it joined' })
  @ApiUnprocessableEntityResponse({ description: '`import_rows_required`: an import job without rows (stream files to POST /ops/imports)' })
  @ApiBadRequestResponse({
    description:
      '`invalid_request`: a malformed body; `invalid_scope`: an unknown scope field, an empty member list, a range that ends before it starts, a scoped swap',
  })
  // Inline import rows: up to 10,000 of about a hundred bytes each.
  @RouteConfig({ bodyLimit: 4 * 1024 * 1024, gzip: true } satisfies RouteBodyConfig)
  async create(@Body() body: CreateJobRequest, @Req() request: RequestLike) {
    if (body.kind === 'import') {
      if (!body.rows || body.rows.length === 0) {
        throw new AppError({
          status: HttpStatus.UNPROCESSABLE_ENTITY,
          error: 'import_rows_required',
          message: 'an import job needs rows; stream a file to POST /ops/imports',
        });
      }
      const id = randomUUID();
      const staged = await this.imports.stageRecords(id, body.rows);
      return this.runner.startImport(id, { format: 'jsonl', header: staged.header, rows: staged.rows, actor: actorOfRequest(request) });
    }
    const scope = { ...(body.scope ?? {}) } as Record<string, unknown>;
    const options = body.kind === 'replay' ? { swap: body.swap === true } : {};
    checkScope((request as { body?: { scope?: unknown } }).body?.scope, scope, options.swap === true);
    // A replay that swaps and one that does not are different work.
    const { job, joined } = await this.runner.jobs.create(randomUUID(), body.kind, body.kind === 'replay' ? { ...scope, swap: options.swap } : scope, options);
    this.runner.kick();
    return { id: job.id, kind: job.kind, state: job.state, joined };
  }

  @Get()
  @ApiOperation({ summary: 'Jobs, newest first' })
  @ApiOkResponse({ schema: JOBS, description: 'Jobs, newest first' })
  async list(@Query() query: LimitQuery): Promise<{ jobs: JobView[] }> {
    return { jobs: await this.runner.jobs.list(query.limit) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job: state, progress {done, total, rate, etaSeconds} and, once done, its result' })
  @ApiNotFoundResponse({ description: '`job_not_found`' })
  @ApiOkResponse({ schema: JOB, description: 'The job' })
  async get(@Param('id') id: string): Promise<JobView> {
    const job = UUID.test(id) ? await this.runner.jobs.get(id) : undefined;
    if (!job) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'job_not_found', message: `no job ${id}`, id });
    return job;
  }
}
