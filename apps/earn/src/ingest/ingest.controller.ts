import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestLike, RouteBodyConfig, Roles, callerStoreId } from '@tally/platform';
import { INGEST_BODY_SCHEMA, INGEST_RESULTS_SCHEMA, batchInputs } from './ingest.body';
import { IngestService } from './ingest.service';

/** 10,000 inputs of a few hundred bytes, with room; counted after gzip is undone. */
export const INGEST_BODY_LIMIT = 32 * 1024 * 1024;

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
}
