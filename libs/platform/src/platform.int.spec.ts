import { IncomingMessage } from 'node:http';
import { Body, Controller, DynamicModule, Get, INestApplication, Module, Param, Post, Req } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsPositive, Matches } from 'class-validator';
import { assertCallerMayActFor, callerOf } from './auth/caller';
import { Roles } from './auth/roles.decorator';
import { createServiceApp, listeningUrl } from './bootstrap/bootstrap-service';
import { BaseConfig } from './config/base.config';
import { kafkaHealthCheck } from './health/kafka.health-check';
import { postgresHealthCheck } from './health/postgres.health-check';
import { AppError } from './http/app.error';
import { PlatformModule } from './platform.module';

class RedeemBody {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/)
  storeId: string;

  @ApiProperty()
  @IsInt()
  @IsPositive()
  points: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

@Controller()
class SampleController {
  @Get('members/:memberId')
  member(@Param('memberId') memberId: string, @Req() request: IncomingMessage) {
    return { memberId, caller: callerOf(request) };
  }

  @Roles('store')
  @Post('redemptions')
  redeem(@Body() body: RedeemBody, @Req() request: IncomingMessage) {
    assertCallerMayActFor(request, body.storeId);
    if (body.points > 100) throw new AppError({ status: 422, error: 'insufficient_points', message: 'not enough points', available: 100 });
    return { redeemed: body.points };
  }

  @Roles('ops')
  @Get('ops/boom')
  boom() {
    throw new Error('password=hunter2 at db-7');
  }
}

@Module({})
class SampleAppModule {
  static forRoot(config: BaseConfig): DynamicModule {
    return {
      module: SampleAppModule,
      imports: [PlatformModule.forRoot({ service: 'sample', config })],
      controllers: [SampleController],
      providers: [postgresHealthCheck(config.DATABASE_URL), kafkaHealthCheck(config.kafkaBrokers)],
    };
  }
}

const testEnv = (overrides: Record<string, string> = {}) => ({
  KAFKA_BROKERS: process.env.TALLY_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
  DATABASE_URL: process.env.TALLY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  LOG_LEVEL: 'silent',
  TALLY_API_TOKENS: 'ops-t=ops,read-t=read,store-t=store:sh-07',
  ...overrides,
});

const start = async (env: Record<string, string>): Promise<{ app: INestApplication; url: string }> => {
  const { app } = await createServiceApp({ service: 'sample', defaultPort: 0, module: SampleAppModule.forRoot, env });
  await app.listen(0, '127.0.0.1');
  return { app, url: listeningUrl(app) };
};

const call = async (url: string, init: { method?: string; token?: string; body?: unknown } = {}) => {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
};

describe('a service on the platform, with its infrastructure up', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await start(testEnv()));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is ready: /health checks PostgreSQL and Kafka', async () => {
    expect(await call(`${url}/health`)).toMatchObject({
      status: 200,
      body: { status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } },
    });
  });

  it('is live', async () => {
    expect(await call(`${url}/health/live`)).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('asks for a token, then checks its role', async () => {
    const anonymous = await call(`${url}/members/m-1`);
    expect(anonymous).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await call(`${url}/members/m-1`, { token: 'wrong' })).toMatchObject({ status: 401 });
    expect(await call(`${url}/members/m-1`, { token: 'read-t' })).toMatchObject({ status: 200, body: { caller: { kind: 'read' } } });
    expect(await call(`${url}/members/m-1`, { token: 'store-t' })).toMatchObject({ status: 200 });
    const body = { storeId: 'sh-07', points: 10 };
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'read-t', body })).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: 'role read may not POST this resource' },
    });
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'store-t', body })).toEqual(
      expect.objectContaining({ status: 201, body: { redeemed: 10 } }),
    );
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'store-t', body: { ...body, storeId: 'bj-01' } })).toMatchObject({
      status: 403,
      body: { error: 'forbidden', message: 'store:sh-07 may not act for store bj-01' },
    });
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'ops-t', body: { ...body, storeId: 'bj-01' } })).toMatchObject({ status: 201 });
  });

  it('answers a refusal with its code and extras', async () => {
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'ops-t', body: { storeId: 'sh-07', points: 500 } })).toMatchObject({
      status: 422,
      body: { error: 'insufficient_points', message: 'not enough points', available: 100 },
    });
  });

  it('answers an invalid body or bad JSON with 400 invalid_request and the fields', async () => {
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'ops-t', body: { storeId: 'no spaces', points: 1.5 } })).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        fields: [
          { field: 'storeId', problems: [expect.any(String)] },
          { field: 'points', problems: ['points must be an integer number'] },
        ],
      },
    });
    expect(await call(`${url}/redemptions`, { method: 'POST', token: 'ops-t', body: '{"storeId":' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });

  it('refuses bodies the parser will not take with a clear 4xx, and takes an empty or non-JSON body as none', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${url}/redemptions`, { method: 'POST', headers: { Authorization: 'Bearer ops-t', 'Content-Type': contentType }, body }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    expect(await post(JSON.stringify({ storeId: 'sh-07', points: 1, pad: 'x'.repeat(200 * 1024) }))).toMatchObject({
      status: 413,
      body: { error: 'payload_too_large' },
    });
    expect(await post('{"storeId":"sh-07","points":1,"__proto__":{"admin":true}}')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    // Not JSON is no body: the fields are named, as for an invalid body.
    expect(await post('storeId=sh-07&points=1', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: expect.arrayContaining([expect.objectContaining({ field: 'points' })]) },
    });
    expect(await post('points=1', 'text/plain')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: expect.arrayContaining([expect.objectContaining({ field: 'storeId' })]) },
    });
    // No body is an empty DTO: the fields are named, not a parser error.
    expect(await post('')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: expect.arrayContaining([expect.objectContaining({ field: 'storeId' })]) },
    });
  });

  it('keeps a sane X-Request-Id from the caller and makes one up otherwise', async () => {
    const kept = await fetch(`${url}/health/live`, { headers: { 'X-Request-Id': 'pos-7:abc' } });
    expect(kept.headers.get('x-request-id')).toBe('pos-7:abc');
    const replaced = await fetch(`${url}/health/live`, { headers: { 'X-Request-Id': 'no spaces allowed' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hides an unexpected error behind 500 internal_error with a request id', async () => {
    const response = await call(`${url}/ops/boom`, { token: 'ops-t' });
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: 'internal_error', message: 'internal error', requestId: expect.any(String) });
    expect(response.headers.get('x-request-id')).toBe(response.body.requestId);
  });

  it('answers an unknown route with 404 not_found, without echoing the URL', async () => {
    const unknown = await call(`${url}/nowhere?token=s3cret`, { token: 'ops-t' });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'not_found', message: 'no route answers this method and path' } });
  });

  it('serves metrics labelled with the service, timing requests by route template', async () => {
    const response = await fetch(`${url}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('process_cpu_user_seconds_total{service="sample"}');
    expect(text).toMatch(/tally_http_request_duration_seconds_count\{service="sample",method="GET",route="\/members\/:memberId",status="200"\} 2/);
    expect(text).toMatch(/tally_http_request_duration_seconds_count\{service="sample",method="GET",route="\/members\/:memberId",status="401"\} 2/);
    expect(text).toMatch(/tally_http_request_duration_seconds_count\{service="sample",method="GET",route="unmatched",status="404"\} 1/);
    expect(text).not.toContain('m-1');
  });

  it('serves OpenAPI with bearer auth at /docs-json and its UI at /docs', async () => {
    const document = (await (await fetch(`${url}/docs-json`)).json()) as {
      info: { title: string };
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, { scheme: string }>; schemas: Record<string, unknown> };
    };
    expect(document.info.title).toBe('Tally sample');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/health/live', '/members/{memberId}', '/redemptions']));
    expect(document.paths['/metrics']).toBeUndefined();
    expect(document.components.securitySchemes.bearer?.scheme).toBe('bearer');
    expect(document.components.schemas.RedeemBody).toBeDefined();
    const redeem = document.paths['/redemptions'] as { post: { responses: Record<string, { schema?: unknown; content?: unknown }> } };
    expect(JSON.stringify(redeem.post.responses['4XX'])).toContain('"required":["error","message"]');
    const ui = await fetch(`${url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});

describe('a service on the platform, with Kafka down', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    // Nothing listens on port 1: a broker that is down, refusing at once.
    ({ app, url } = await start(testEnv({ KAFKA_BROKERS: '127.0.0.1:1' })));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is not ready: 503 naming kafka, postgres still up, answered fast', async () => {
    const startedAt = Date.now();
    expect(await call(`${url}/health`)).toMatchObject({
      status: 503,
      body: {
        status: 'error',
        error: 'unavailable',
        message: 'down: kafka',
        checks: { postgres: { status: 'up' }, kafka: { status: 'down', message: expect.stringContaining('ECONNREFUSED') } },
      },
    });
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });

  it('is still live', async () => {
    expect((await call(`${url}/health/live`)).status).toBe(200);
  });
});

describe('a service on the platform, with PostgreSQL unreachable', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await start(testEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tally' })));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is not ready: 503 naming postgres', async () => {
    expect(await call(`${url}/health`)).toMatchObject({
      status: 503,
      body: { message: 'down: postgres', checks: { postgres: { status: 'down' }, kafka: { status: 'up' } } },
    });
  });
});
