import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Logger as PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { Writable } from 'node:stream';
import { Public } from '../auth/roles.decorator';
import { HTTP_APP_OPTIONS, createHttpAdapter } from '../bootstrap/bootstrap-service';
import { BaseConfig } from '../config/base.config';
import { loadConfig } from '../config/config.loader';
import { PlatformModule } from '../platform.module';
import { inSpan, startTracing, stopTracing } from '../tracing/tracing';
import { baseLoggerOptions } from './logging.options';

const lines: Record<string, unknown>[] = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

@Controller('hello')
class HelloController {
  private readonly logger = new Logger('Hello');

  @Public()
  @Get()
  hello() {
    this.logger.log('saying hello');
    return { hello: 'world' };
  }
}

@Module({
  imports: [PlatformModule.forRoot({ service: 'logs-test', config: loadConfig(BaseConfig, {}), logDestination: destination })],
  controllers: [HelloController],
})
class LogsTestModule {}

describe('request logs', () => {
  const exporter = new InMemorySpanExporter();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    startTracing('logs-test', {}, [new SimpleSpanProcessor(exporter)]);
    app = await NestFactory.create<NestFastifyApplication>(LogsTestModule, createHttpAdapter(), HTTP_APP_OPTIONS);
    app.useLogger(app.get(PinoLogger));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await stopTracing();
  });

  beforeEach(() => lines.splice(0));

  const inject = (url: string, headers: Record<string, string> = {}) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });

  it('leaves health probes and metrics scrapes out of the info log', async () => {
    for (const url of ['/health', '/health/live', '/metrics', '/health?probe=1']) expect((await inject(url)).statusCode).toBeLessThan(500);
    expect(lines.filter((l) => typeof l.req === 'object' || l.requestId)).toEqual([]);
  });

  it("puts the request's trace id, the caller's when it sends a traceparent, on every line the request writes", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await inject('/hello', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const own = lines.filter((l) => l.requestId);
    expect(own.map((l) => l.msg)).toEqual(['saying hello', 'request completed']);
    expect(own.map((l) => l.traceId)).toEqual([traceId, traceId]);
  });

  it('gives a request without a traceparent a trace of its own, the same on each of its lines', async () => {
    await inject('/hello');
    const ids = new Set(lines.filter((l) => l.requestId).map((l) => l.traceId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("puts a batch's trace id on the lines written while it is handled", async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = pino(baseLoggerOptions('batch-test', 'info'), { write: (line: string) => void logged.push(JSON.parse(line)) });
    const traceId = await inSpan('batch', {}, async (span) => {
      logger.info('handling a batch');
      return span.spanContext().traceId;
    });
    logger.info('between batches');
    expect(logged[0]).toMatchObject({ msg: 'handling a batch', traceId });
    expect(logged[1].traceId).toBeUndefined();
  });
});
