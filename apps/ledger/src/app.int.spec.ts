import { INestApplication } from '@nestjs/common';
import { migrateLedger } from '@tally/ledger';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers } from '@tally/testing';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';

// The platform's behaviour (auth, errors, Kafka or PostgreSQL down) is covered in
// libs/platform/src/platform.int.spec.ts; this proves the ledger app itself boots and serves it.
describe('ledger app', () => {
  let app: INestApplication;
  let db: TestDatabase;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('ledger_app', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_TOPIC_NAMESPACE: `int-ledger-app-${Date.now()}.`,
      LOG_LEVEL: 'warn',
    };
    ({ app } = await createServiceApp({ service: SERVICE, defaultPort: DEFAULT_PORT, module: (config) => AppModule.forRoot(config), env }));
    await app.listen(0, '127.0.0.1');
    url = listeningUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is ready when PostgreSQL and Kafka answer', async () => {
    const response = await fetch(`${url}/health`);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } });
    expect(response.status).toBe(200);
  });

  it('is live', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('serves Prometheus metrics labelled ledger', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('process_cpu_user_seconds_total{service="ledger"}');
  });

  it('serves its OpenAPI document and UI', async () => {
    const response = await fetch(`${url}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(document.info.title).toBe('Tally ledger');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/health/live']));
    expect((await fetch(`${url}/docs`)).status).toBe(200);
  });
});
