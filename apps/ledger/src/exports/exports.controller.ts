import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CSV_HEADER, ExportFormat, ExportedEvent, decodedData, exportEvents, exportLine, queryOf } from '@tally/ledger';
import { Metrics, Roles } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ExportQuery } from './export.query';

/** What Fastify's reply offers that the export sets. */
interface HeaderReply {
  header(name: string, value: string): unknown;
}

const CONTENT_TYPES: Record<ExportFormat, string> = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

/** Lines a write carries at most: big enough that the stream is not a call per line. */
const CHUNK_LINES = 500;

async function* linesOf(events: AsyncGenerator<ExportedEvent>, format: ExportFormat, counted: () => void): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_HEADER;
  let chunk = '';
  let lines = 0;
  for await (const event of events) {
    chunk += exportLine(event, format, format === 'jsonl' ? decodedData(event) : undefined);
    counted();
    if (++lines === CHUNK_LINES) {
      yield chunk;
      chunk = '';
      lines = 0;
    }
  }
  if (chunk !== '') yield chunk;
}

@ApiTags('ops')
@ApiBearerAuth()
@Roles('ops')
@Controller('ops')
export class ExportsController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {}

  @Get('export')
  @ApiOperation({
    summary: 'Stream events as JSON Lines or CSV, each with position, version, hash and previous hash',
    description:
      'One member, one store, or the whole ledger, optionally within [from, to) of recordedAt, in position order, read a page at a time. ' +
      '`data` in CSV (`dataText` in JSON Lines) is the stored text the hash covers; `tally export` writes the file and its manifest, `tally verify` checks it offline.',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'The events, one a line',
    content: {
      'application/x-ndjson': {
        schema: { type: 'string' },
        example: '{"position":"1042","memberId":"m-1001","version":3,"type":"points.earned","prevHash":"...","hash":"9b1f..."}\n',
      },
      'text/csv': { schema: { type: 'string' }, example: 'position,memberId,version,type,occurredAt,recordedAt,prevHash,hash,data\n' },
    },
  })
  export(@Query() query: ExportQuery, @Res({ passthrough: true }) reply: HeaderReply): StreamableFile {
    const exported = this.metrics.counter('tally_exported_events_total', 'Events streamed by exports', ['format']);
    const events = exportEvents(queryOf(this.dataSource), { memberId: query.memberId, storeId: query.storeId, from: query.from, to: query.to });
    reply.header('content-type', CONTENT_TYPES[query.format]);
    const stream = Readable.from(linesOf(events, query.format, () => exported.inc({ format: query.format })));
    return new StreamableFile(stream, { type: CONTENT_TYPES[query.format] });
  }
}
