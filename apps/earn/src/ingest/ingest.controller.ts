import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestLike, RouteBodyConfig, Roles, callerStoreId } from '@tally/platform';
import { INGEST_BODY_SCHEMA, INGEST_RESULTS_SCHEMA, STATUS_BODY_SCHEMA, STATUS_RESULTS_SCHEMA, batchInputs, statusEventIds } from './ingest.body';
import { IngestService } from './ingest.service';

/** 10,000 inputs of a few hundred bytes, with room; counted after gzip is undone. */
export const INGEST_BODY_LIMIT = 32 * 1024 * 1024;

/** 10,000 eventIds of up to 128 characters, quoted. */
export const STATUS_BODY_LIMIT = 2 * 1024 * 1024;

@ApiTags('ingest')
@ApiBearerAuth()
@Roles('store')
@Controller('ingest')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post('batch')
  @HttpCode(200)
  @RouteConfig({ bodyLimit: INGEST_BODY_LIMIT, gzip: true } satisfies RouteBodyConfig)
  @ApiOperation({
    summary: 'Branch sync: upload inputs a branch could not publish to Kafka',
    description:
      'Each input is validated as on its topic and answered `accepted` (on its topic, applied once by eventId), `duplicate` ' +
      '(already applied, or earlier in this upload) or `invalid` (with field errors). A store token may send only its own ' +
      "store's inputs. Retrying the same batch is safe. Bodies may be gzip (`Content-Encoding: gzip`).",
  })
  @ApiBody({ schema: INGEST_BODY_SCHEMA })
  @ApiOkResponse({ schema: INGEST_RESULTS_SCHEMA, description: 'A result for each input, in the order sent' })
  async batch(@Body() body: unknown, @Req() request: RequestLike) {
    return { results: await this.ingest.ingest(batchInputs(body), callerStoreId(request), new Date()) };
  }

  @Post('status')
  @HttpCode(200)
  @RouteConfig({ bodyLimit: STATUS_BODY_LIMIT, gzip: true } satisfies RouteBodyConfig)
  @ApiOperation({
    summary: 'Branch sync: what became of uploaded inputs',
    description:
      'For each eventId, what became of the input this store uploaded with it: `applied` (points and the events appended, ' +
      'with their versions), `refused` (a stable code and a message; an input past the late-input window names the ' +
      "program's window), `parked` (a refund waiting for its purchase), `dead-lettered` (reason), `pending` (not decided " +
      "yet) or `unknown` (not uploaded by this store: another store's inputs are never shown). Up to 10,000 ids.",
  })
  @ApiBody({ schema: STATUS_BODY_SCHEMA })
  @ApiOkResponse({ schema: STATUS_RESULTS_SCHEMA, description: 'A result per eventId asked (one per topic it was uploaded on), in the order asked' })
  async status(@Body() body: unknown, @Req() request: RequestLike) {
    return { results: await this.ingest.status(statusEventIds(body), callerStoreId(request)) };
  }
}
