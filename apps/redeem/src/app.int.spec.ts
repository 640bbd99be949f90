import { INestApplication } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LedgerStore, migrateLedger } from '@tally/ledger';
import { DataSource } from 'typeorm';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, assertErrorContract, createTestDatabase } from '@tally/testing';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';
import { RedeemConfig } from './shared/redeem.config';

describe('redeem app as it starts in production', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('redeem_shell', migrateLedger);
    ({ app } = await createServiceApp({
      service: SERVICE,
      defaultPort: DEFAULT_PORT,
      config: RedeemConfig,
      module: (config) => AppModule.forRoot(config),
      env: {
        DATABASE_URL: db.url,
        KAFKA_BROKERS: process.env.TALLY_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
        TALLY_API_TOKENS: 'shell-ops=ops,shell-store=store:s-1,shell-read=read',
        LOG_LEVEL: 'warn',
        TALLY_HOLD_EXPIRY_INTERVAL_MS: '100',
      },
    }));
    await app.listen(0, '127.0.0.1');
    url = listeningUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is ready when PostgreSQL and Kafka answer', async () => {
    const response = await fetch(`${url}/health`);
    expect(await response.json()).toMatchObject({ status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } });
  });

  it('documents every endpoint in OpenAPI', async () => {
    const document = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/redemptions',
        '/redemptions/{redemptionId}/reverse',
        '/holds',
        '/holds/{holdId}/capture',
        '/holds/{holdId}/release',
        '/rewards',
        '/transfers',
        '/transfers/{transferId}/reverse',
        '/challenges/{challengeId}/confirm',
      ]),
    );
  });

  it('counts its requests and expired holds in /metrics', async () => {
    await fetch(`${url}/redemptions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer shell-ops' },
      body: JSON.stringify({ redemptionId: 'r-m', memberId: 'm-m', points: 1, storeId: 's-1' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const body = await (await fetch(`${url}/metrics`)).text();
    expect(body).toContain('tally_redeem_requests_total{scope="redemption",outcome="rejected",service="redeem"} 1');
    expect(body).toContain('tally_redeem_holds_expired_total{service="redeem"} 0');
  });

  it('releases a hold by itself once its ttl is over', async () => {
    await app.get(LedgerStore).executeOne({
      scope: 'test-seed',
      causationId: 'seed-ttl',
      memberIds: ['m-ttl'],
      decide: () => ({
        kind: 'append',
        result: null,
        events: [
          {
            type: 'points.earned',
            memberId: 'm-ttl',
            occurredAt: new Date().toISOString(),
            data: { points: 50, lotId: 'l-ttl', expiresAt: '2099-01-01T00:00:00Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
          },
        ],
      }),
    });
    const held = await fetch(`${url}/holds`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer shell-ops' },
      body: JSON.stringify({ holdId: 'h-ttl', memberId: 'm-ttl', points: 50, storeId: 's-1', ttlSeconds: 1 }),
    });
    expect(held.status).toBe(201);
    const row = async () => (await app.get(DataSource).query(`SELECT available, held FROM member_state WHERE member_id = 'm-ttl'`))[0];
    expect(await row()).toEqual({ available: '0', held: '50' });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await row()).held !== '0') await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await row()).toEqual({ available: '50', held: '0' });
    const events = await app
      .get(DataSource)
      .query(`SELECT type, data->>'reason' AS reason FROM ledger_events_expanded WHERE member_id = 'm-ttl' ORDER BY version`);
    expect(events).toEqual([
      { type: 'points.earned', reason: 'purchase' },
      { type: 'points.held', reason: null },
      { type: 'hold.released', reason: 'expired' },
    ]);
  });

  it('refuses a JSON body nested thousands deep with 400 invalid_request, before anything recursive reads it', async () => {
    const post = async (path: string, body: string) => {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer shell-ops' },
        body,
      });
      return { status: response.status, body: (await response.json()) as { error: string; fields?: { field: string }[] } };
    };
    const fields = '"redemptionId":"r-deep","memberId":"m-deep","points":1,"storeId":"s-1"';
    for (const [path, body] of [
      ['/redemptions', `{${fields},"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
      ['/redemptions', `{${fields},"x":${'['.repeat(5000)}${']'.repeat(5000)}}`],
      ['/holds/h-deep/capture', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ]) {
      expect(await post(path, body)).toEqual({
        status: 400,
        body: { error: 'invalid_request', message: expect.any(String), fields: [{ field: '(body)', problems: expect.any(Array) }] },
      });
    }
    // Nesting a body may have is still read (and judged by its fields).
    expect((await post('/redemptions', `{${fields},"x":${'{"a":'.repeat(30)}1${'}'.repeat(30)}}`)).status).toBe(422);
  });

  it('never answers 5xx, and answers every 4xx in the API error shape, whatever the request (property)', async () => {
    await assertErrorContract((request) => (app as NestFastifyApplication).inject(request), {
      routes: [
        'POST /redemptions',
        'POST /redemptions/:redemptionId/reverse',
        'POST /holds',
        'POST /holds/:holdId/capture',
        'POST /holds/:holdId/release',
        'GET /rewards',
        'GET /health/live',
      ],
      tokens: ['shell-ops', 'shell-store', 'shell-read', 'not-a-token'],
      fields: ['redemptionId', 'holdId', 'memberId', 'points', 'storeId', 'rewardId', 'ttlSeconds'],
    });
  });

  it('refuses a bad TALLY_HOLD_EXPIRY_INTERVAL_MS at start', async () => {
    await expect(
      createServiceApp({
        service: SERVICE,
        defaultPort: DEFAULT_PORT,
        config: RedeemConfig,
        module: (config) => AppModule.forRoot(config),
        env: { TALLY_HOLD_EXPIRY_INTERVAL_MS: 'soon' },
      }),
    ).rejects.toThrow(/TALLY_HOLD_EXPIRY_INTERVAL_MS/);
  });
});
