import { INestApplication } from '@nestjs/common';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';

const testEnv = (overrides: Record<string, string> = {}) => ({
  KAFKA_BROKERS: process.env.TALLY_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
  DATABASE_URL: process.env.TALLY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  PORT: '0',
  LOG_LEVEL: 'warn',
  TALLY_API_TOKENS: 'int-ops=ops',
  ...overrides,
});

const start = async (env: Record<string, string>): Promise<{ app: INestApplication; url: string }> => {
  const { app } = await createServiceApp({ service: SERVICE, defaultPort: DEFAULT_PORT, module: (config) => AppModule.forRoot(config), env });
  await app.listen(0, '127.0.0.1');
  return { app, url: listeningUrl(app) };
};

describe('ledger app shell', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await start(testEnv()));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is ready when PostgreSQL and Kafka answer', async () => {
    const response = await fetch(`${url}/health`);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } });
    expect(response.status).toBe(200);
  });

  it('is live', async () => {
    const response = await fetch(`${url}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('keeps a sane X-Request-Id and makes one up otherwise', async () => {
    const kept = await fetch(`${url}/health/live`, { headers: { 'X-Request-Id': 'pos-7-req-1' } });
    expect(kept.headers.get('x-request-id')).toBe('pos-7-req-1');
    const made = await fetch(`${url}/health/live`, { headers: { 'X-Request-Id': 'no spaces allowed' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the error format', async () => {
    const response = await fetch(`${url}/members/m-1/nothing-here`, { headers: { Authorization: 'Bearer int-ops' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'Cannot GET /members/m-1/nothing-here' });
  });

  it('serves Prometheus metrics labelled with the service, with request durations by route template', async () => {
    const response = await fetch(`${url}/metrics`);
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(body).toContain('process_cpu_user_seconds_total{service="ledger"}');
    expect(body).toMatch(/tally_http_request_duration_seconds_count\{service="ledger",method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(body).toMatch(/tally_http_request_duration_seconds_count\{service="ledger",method="GET",route="unmatched",status="404"\} 1/);
  });

  it('serves the OpenAPI document with bearer auth, and its UI', async () => {
    const document = (await (await fetch(`${url}/docs-json`)).json()) as {
      info: { title: string };
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };
    expect(document.info.title).toBe('Tally ledger');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/health/live']));
    expect(document.components.securitySchemes.bearer?.scheme).toBe('bearer');
    const ui = await fetch(`${url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('answers invalid JSON bodies with 400 invalid_request', async () => {
    const response = await fetch(`${url}/ops/anything`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer int-ops' },
      body: '{"not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('ledger app shell without a broker', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    // Port 1 refuses connections at once: a broker that is down, not one that is slow.
    ({ app, url } = await start(testEnv({ KAFKA_BROKERS: '127.0.0.1:1' })));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is not ready: 503 naming kafka, while postgres is still up', async () => {
    const startedAt = Date.now();
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'error',
      error: 'unavailable',
      message: 'down: kafka',
      checks: { postgres: { status: 'up' }, kafka: { status: 'down', message: expect.any(String) } },
    });
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });

  it('is still live', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });
});
