import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { AuditReport, LedgerCommand, LedgerStore, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';

const OPS_TOKEN = 'ops-t';

const earnCommand = (memberId: string): LedgerCommand<null> => ({
  scope: 'app-test',
  causationId: `c-${memberId}`,
  memberIds: [memberId],
  decide: () => ({
    kind: 'append',
    result: null,
    events: [
      {
        type: 'points.earned',
        memberId,
        occurredAt: '2026-11-23T10:00:00+08:00',
        data: { points: 10, lotId: randomUUID(), expiresAt: '2027-11-23T02:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
      },
    ],
  }),
});

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
      TALLY_API_TOKENS: `${OPS_TOKEN}=ops`,
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

  describe('GET /ops/audit', () => {
    const audit = async (query = '') => {
      const response = await fetch(`${url}/ops/audit${query}`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
      return { status: response.status, body: (await response.json()) as AuditReport & { error?: string; message?: string } };
    };

    beforeAll(async () => {
      // Three members' events, two of them then altered by a superuser with the log's triggers off.
      const dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
      await new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID }).execute(['m-a', 'm-b', 'm-c'].map(earnCommand));
      await dataSource.destroy();
      const superuser = new Client({ connectionString: db.url });
      await superuser.connect();
      await superuser.query('ALTER TABLE ledger_events DISABLE TRIGGER USER');
      await superuser.query(`UPDATE ledger_events SET data = '[1]' WHERE member_id IN ('m-a', 'm-c')`);
      await superuser.query('ALTER TABLE ledger_events ENABLE TRIGGER USER');
      await superuser.end();
    });

    it('counts every violation and lists them, at most `limit`', async () => {
      const all = await audit();
      expect(all).toMatchObject({ status: 200, body: { ok: false, eventsChecked: 3, members: 3, violationCount: 2 } });
      expect(all.body.violations.map((v) => [v.kind, v.memberId])).toEqual([
        ['hash_mismatch', 'm-a'],
        ['hash_mismatch', 'm-c'],
      ]);
      expect(all.body.firstViolation).toEqual(all.body.violations[0]);
      const one = await audit('?limit=1');
      expect(one).toMatchObject({ status: 200, body: { ok: false, violationCount: 2, violations: [all.body.violations[0]] } });
    });

    it.each(['0', '1001', 'ten', '2.5', '-1'])('refuses limit=%s in the error shape', async (limit) => {
      const { status, body } = await audit(`?limit=${limit}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('limit') });
    });
  });
});
