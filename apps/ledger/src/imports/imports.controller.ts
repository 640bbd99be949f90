import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { IMPORT_FORMATS, ImportFormat, ImportRowResult } from '@tally/ledger';
import { AppError, RequestLike, RouteBodyConfig, Roles, STREAMED_BODY_TYPES } from '@tally/platform';
import { actorOfRequest } from '../adjustments/adjustments.service';
import { JobsRunner } from '../jobs/jobs.runner';
import { IMPORT_CREATED, IMPORT_RESULTS } from '../shared/responses.openapi';
import { ImportRetention } from './import-retention';
import { ImportsService } from './imports.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RESULTS_PAGE = 10000;

const invalid = (message: string): AppError => new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_request', message });

const formatOf = (query: string | undefined, contentType: string | undefined): ImportFormat => {
  const format = query ?? (contentType?.startsWith('text/csv') ? 'csv' : 'jsonl');
  if (!IMPORT_FORMATS.includes(format as ImportFormat)) throw invalid(`format must be one of ${IMPORT_FORMATS.join(', ')}`);
  return format as ImportFormat;
};

/** A CSV file the parser gave up on (a quote never closed): 400 `invalid_csv`, saying where. */
const unreadableCsv = (error: unknown): AppError | undefined =>
  error instanceof Error && /^CSV_/.test(String((error as { code?: unknown }).code))
    ? new AppError({ status: HttpStatus.BAD_REQUEST, error: 'invalid_csv', message: `the file is not readable CSV: ${error.message}` })
    : undefined;

const cursorOf = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value)) throw invalid(`${name} must be a whole number`);
  return Number(value);
};

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly runner: JobsRunner,
    private readonly retention: ImportRetention,
  ) {}

  @Post('imports')
  @HttpCode(HttpStatus.ACCEPTED)
  @RouteConfig({ gzip: true } satisfies RouteBodyConfig)
  @ApiOperation({
    summary: 'Stream an opening-balance file (CSV or JSON Lines) and import it as a job',
    description:
      'The body is staged line by line as it streams in (no size limit, gzip accepted), then an `import` job decides each row: ' +
      '`memberId`, `points`, `lots` (CSV: `500@2027-06-30;300@2027-12-31`; JSON: `[{points, expiresAt}]`) or one `expiresAt`, `tier?` (a floor), `rowId?`. ' +
      'A row is keyed by `rowId`, else by its member: importing the file again appends nothing (`duplicate`). ' +
      'Poll GET /ops/jobs/{id}; results per line at GET /ops/jobs/{id}/results.',
  })
  @ApiConsumes(...STREAMED_BODY_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary', example: 'memberId,points,lots,tier\nm-1001,800,500@2027-06-30;300@2027-12-31,gold\n' } })
  @ApiQuery({ name: 'format', required: false, enum: IMPORT_FORMATS, description: 'Defaults from the content type (text/csv: csv; otherwise jsonl)' })
  @ApiAcceptedResponse({ schema: IMPORT_CREATED, description: 'The rows are staged and the import job is queued' })
  @ApiBadRequestResponse({ description: '`invalid_request`: an unknown format, or no body; `invalid_csv`: a quote never closed' })
  async upload(@Req() request: RequestLike & { body?: unknown }, @Query('format') format?: string) {
    const chosen = formatOf(format, request.headers['content-type'] as string | undefined);
    if (!(request.body instanceof Readable)) throw invalid(`send the file as the body, with content type ${STREAMED_BODY_TYPES.join(' or ')}`);
    const id = randomUUID();
    // An upload cut off mid-way leaves no rows behind: they would belong to no job.
    const staged = await this.imports.stageStream(id, request.body, chosen).catch(async (error: unknown) => {
      await this.imports.rows.remove(id).catch(() => undefined);
      throw unreadableCsv(error) ?? error;
    });
    if (staged.rows === 0) throw invalid('the file has no rows');
    return this.runner.startImport(id, {
      format: chosen,
      header: staged.header,
      rows: staged.rows,
      actor: actorOfRequest(request),
      ...(staged.staged ? { staged: staged.staged } : {}),
    });
  }

  @Get('jobs/:id/results')
  @ApiOperation({ summary: "An import job's result per row, in line order: applied, duplicate, or refused with a code and a reason" })
  @ApiQuery({ name: 'after', required: false, description: "Line to continue after (the previous page's `next`)" })
  @ApiQuery({ name: 'limit', required: false, description: `Rows per page, at most ${MAX_RESULTS_PAGE}` })
  @ApiOkResponse({ schema: IMPORT_RESULTS, description: 'A page of results' })
  @ApiNotFoundResponse({ description: '`job_not_found`' })
  @ApiGoneResponse({ description: '`import_results_expired`: the job finished longer ago than the results are kept (`TALLY_IMPORT_RETENTION_DAYS`)' })
  async results(
    @Param('id') id: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<{ results: ImportRowResult[]; next: number | null }> {
    const job = UUID.test(id) ? await this.runner.jobs.get(id) : undefined;
    if (!job) throw new AppError({ status: HttpStatus.NOT_FOUND, error: 'job_not_found', message: `no job ${id}`, id });
    if (job.finishedAt && Date.parse(job.finishedAt) < Date.now() - this.retention.days * 86_400_000) {
      throw new AppError({
        status: HttpStatus.GONE,
        error: 'import_results_expired',
        message: `job ${id} finished at ${job.finishedAt}; its results are kept ${this.retention.days} days (TALLY_IMPORT_RETENTION_DAYS)`,
        id,
      });
    }
    const size = Math.min(MAX_RESULTS_PAGE, Math.max(1, cursorOf(limit, 1000, 'limit')));
    const results = await this.imports.rows.results(id, cursorOf(after, 0, 'after'), size);
    return { results, next: results.length === size ? results[results.length - 1].line : null };
  }
}
