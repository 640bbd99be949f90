import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LedgerStore, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { HTTP_APP_OPTIONS, createHttpAdapter, listeningUrl, loadConfig } from '@tally/platform';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { earnedNow } from './testing/earned-event';
import { AppModule } from './app.module';
import { RedeemConfig } from './shared/redeem.config';

const STORE = 'int-sh07';

type Json = Record<string, unknown>;

/**
 * Two redeem instances over one ledger, and an earn process of its own (a store with its own
 * cache): every member moves on through one while the other has already folded it, as in
 * production, where no instance sees what the others appended.
 */
describe('redeem instances decide on the ledger head, not on what they saw last (invariant 9)', () => {
  let db: TestDatabase;
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  let earnSource: DataSource;
  let earn: LedgerStore;

  const startInstance = async () => {
    const config = loadConfig(RedeemConfig, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: process.env.TALLY_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
      TALLY_API_TOKENS: `${STORE}=store:sh-07`,
      LOG_LEVEL: 'warn',
      TALLY_HOLD_EXPIRY_INTERVAL_MS: '0',
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    const app = moduleRef.createNestApplication(createHttpAdapter(), { ...HTTP_APP_OPTIONS, logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    urls.push(listeningUrl(app));
  };

  beforeAll(async () => {
    db = await createTestDatabase('redeem_instances', migrateLedger);
    await startInstance();
    await startInstance();
    earnSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
    earn = new LedgerStore(earnSource, { clock: () => new Date(), newEventId: randomUUID });
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await earnSource?.destroy();
    await db?.drop();
  });

  const earnPoints = async (memberId: string, points: number) => {
    const result = await earn.executeOne({
      scope: 'earn-test',
      causationId: randomUUID(),
      memberIds: [memberId],
      decide: () => ({ kind: 'append', events: [earnedNow(memberId, points)], result: null }),
    });
    expect(result.status).toBe('appended');
  };

  const post = async (instance: number, path: string, body: unknown = {}) => {
    const response = await fetch(`${urls[instance]}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${STORE}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  it('redeems what the earn process added after this instance last saw the member', async () => {
    await earnPoints('st-1', 500);
    expect((await post(0, '/redemptions', { redemptionId: 'st-1-r1', memberId: 'st-1', points: 100, storeId: 'sh-07' })).status).toBe(201);
    await earnPoints('st-1', 500);
    const second = await post(0, '/redemptions', { redemptionId: 'st-1-r2', memberId: 'st-1', points: 700, storeId: 'sh-07' });
    expect(second).toMatchObject({ status: 201, body: { available: 200 } });
  });

  it('holds what the earn process added after this instance last saw the member', async () => {
    await earnPoints('st-2', 90);
    expect((await post(0, '/holds', { holdId: 'st-2-h0', memberId: 'st-2', points: 10, storeId: 'sh-07', ttlSeconds: 600 })).status).toBe(201);
    await earnPoints('st-2', 500);
    const hold = await post(0, '/holds', { holdId: 'st-2-h1', memberId: 'st-2', points: 570, storeId: 'sh-07', ttlSeconds: 600 });
    expect(hold).toMatchObject({ status: 201, body: { available: 10 } });
  });

  it('decides a refused redemption again when it is retried with the same id, once the points are there', async () => {
    await earnPoints('st-3', 100);
    const request = { redemptionId: 'st-3-r1', memberId: 'st-3', points: 300, storeId: 'sh-07' };
    expect(await post(1, '/redemptions', request)).toMatchObject({ status: 422, body: { error: 'insufficient_points', available: 100 } });
    await earnPoints('st-3', 500);
    const retried = await post(1, '/redemptions', request);
    expect(retried).toMatchObject({ status: 201, body: { points: 300, available: 300 } });
    expect(await post(0, '/redemptions', request)).toEqual({ status: 200, body: retried.body });
    expect((await post(0, '/redemptions', { ...request, points: 301 })).status).toBe(409);
  });

  it('decides a refused hold again when it is retried with the same id, once the points are there', async () => {
    const request = { holdId: 'st-4-h1', memberId: 'st-4', points: 300, storeId: 'sh-07', ttlSeconds: 600 };
    expect(await post(0, '/holds', request)).toMatchObject({ status: 422, body: { error: 'insufficient_points', available: 0 } });
    await earnPoints('st-4', 300);
    expect(await post(0, '/holds', request)).toMatchObject({ status: 201, body: { available: 0 } });
  });

  it('captures on one instance a hold placed on the other', async () => {
    await earnPoints('st-5', 1000);
    expect((await post(1, '/redemptions', { redemptionId: 'st-5-r0', memberId: 'st-5', points: 1, storeId: 'sh-07' })).status).toBe(201);
    expect((await post(0, '/holds', { holdId: 'st-5-h1', memberId: 'st-5', points: 400, storeId: 'sh-07', ttlSeconds: 600 })).status).toBe(201);
    const captured = await post(1, '/holds/st-5-h1/capture', { points: 300 });
    expect(captured).toMatchObject({ status: 200, body: { captured: 300, released: 100, available: 699 } });
  });

  it('releases on one instance a hold placed on the other', async () => {
    await earnPoints('st-6', 1000);
    expect((await post(1, '/redemptions', { redemptionId: 'st-6-r0', memberId: 'st-6', points: 1, storeId: 'sh-07' })).status).toBe(201);
    expect((await post(0, '/holds', { holdId: 'st-6-h1', memberId: 'st-6', points: 400, storeId: 'sh-07', ttlSeconds: 600 })).status).toBe(201);
    expect(await post(1, '/holds/st-6-h1/release')).toMatchObject({ status: 200, body: { released: 400, available: 999 } });
  });

  it('reverses on one instance a redemption made on the other', async () => {
    await earnPoints('st-7', 1000);
    expect((await post(1, '/redemptions', { redemptionId: 'st-7-r0', memberId: 'st-7', points: 1, storeId: 'sh-07' })).status).toBe(201);
    expect((await post(0, '/redemptions', { redemptionId: 'st-7-r1', memberId: 'st-7', points: 500, storeId: 'sh-07' })).status).toBe(201);
    expect(await post(1, '/redemptions/st-7-r1/reverse')).toMatchObject({ status: 200, body: { points: 500, available: 999 } });
  });
});
