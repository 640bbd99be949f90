import { JOB, JOBS, JOB_CREATED } from '../shared/responses.openapi';
import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JobView } from '@tally/ledger';
import { AppError, Roles } from '@tally/platform';
import { LimitQuery } from '../shared/page.query';
import { CreateJobRequest } from './job.dto';
import { JobsRunner } from './jobs.runner';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops/jobs')
export class JobsController {
  constructor(private readonly runner: JobsRunner) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Start an audit or a replay as a job; poll GET /ops/jobs/{id}',
    description: 'A job of the same kind and scope already queued or running is joined (its id is answered, `joined: true`), not started twice. Jobs are kept in PostgreSQL: a ledger restart resumes them or reports them failed.',
  })
  @ApiAcceptedResponse({ schema: JOB_CREATED, description: 'The job, new or the running one it joined' })
  async create(@Body() body: CreateJobRequest) {
    if (body.kind === 'import') {
      throw new AppError({ status: HttpStatus.UNPROCESSABLE_ENTITY, error: 'unsupported_job_kind', message: 'import jobs are not run by this release' });
    }
    const scope = { ...(body.scope ?? {}) } as Record<string, unknown>;
    const options = body.kind === 'replay' ? { swap: body.swap === true } : {};
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
