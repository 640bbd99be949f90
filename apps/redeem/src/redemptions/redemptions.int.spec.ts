import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LEDGER_CLOCK, LedgerQueries, LedgerStore, migrateLedger } from '@tally/ledger';
import { HTTP_APP_OPTIONS, createHttpAdapter, listeningUrl, loadConfig } from '@tally/platform';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { earnedNow } from '../testing/earned-event';
import { AppModule } from '../app.module';
import { HoldExpiryJob } from '../holds/hold-expiry.job';
import { RedeemConfig } from '../shared/redeem.config';

const OPS = 'int-ops';
const SH07 = 'int-sh07';
const BJ01 = 'int-bj01';
const READ = 'int-read';

type Json = Record<string, unknown>;

describe('redeem app against PostgreSQL', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let programDir: string;
  /** The app's clock runs this far ahead of real time: lets a test move past a hold's ttl. */
  let clockAheadMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase('redeem', migrateLedger);
    programDir = mkdtempSync(join(tmpdir(), 'tally-redeem-'));
    const programPath = join(programDir, 'program.json');
    writeFileSync(
      programPath,
      JSON.stringify({
        rewards: [
          { id: 'tea', name: 'Tea', points: 300 },
          { id: 'mug', name: 'Mug', points: 2000, minTier: 'gold' },
          { id: 'big-tea', name: 'Big tea', points: 5000 },
          { id: 'limited', name: 'Limited', points: 100, stock: 2 },
        ],
      }),
    );
    const config = loadConfig(RedeemConfig, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: process.env.TALLY_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
      TALLY_API_TOKENS: `${OPS}=ops,${SH07}=store:sh-07,${BJ01}=store:bj-01,${READ}=read`,
      TALLY_PROGRAM: programPath,
      LOG_LEVEL: 'warn',
      TALLY_HOLD_EXPIRY_INTERVAL_MS: '0',
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(LEDGER_CLOCK)
      .useValue(() => new Date(Date.now() + clockAheadMs))
      .compile();
    app = moduleRef.createNestApplication(createHttpAdapter(), { ...HTTP_APP_OPTIONS, logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    url = listeningUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (programDir) rmSync(programDir, { recursive: true, force: true });
  });

  const seed = async (memberId: string, points: number) => {
    const result = await app.get(LedgerStore).executeOne({
      scope: 'test-seed',
      causationId: randomUUID(),
      memberIds: [memberId],
      decide: () => ({ kind: 'append', events: [earnedNow(memberId, points)], result: null }),
    });
    expect(result.status).toBe('appended');
  };

  const call = async (method: string, path: string, body?: unknown, token: string | null = SH07) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const post = (path: string, body?: unknown, token?: string | null) => call('POST', path, body, token);

  const memberRow = async (memberId: string) =>
    (await app.get(DataSource).query('SELECT available, held, version FROM member_state WHERE member_id = $1', [memberId]))[0] as {
      available: string;
      held: string;
      version: number;
    };

  const eventCount = async (memberId: string, type: string) =>
    Number((await app.get(DataSource).query('SELECT count(*) FROM ledger_events WHERE member_id = $1 AND type = $2', [memberId, type]))[0].count);

  describe('POST /redemptions', () => {
    it('answers 201 with the redemption, then 200 with the same result on a retry, spending once (invariant 2)', async () => {
      await seed('m-redeem', 1000);
      const request = { redemptionId: 'pos-7-r-1', memberId: 'm-redeem', points: 250, storeId: 'sh-07' };
      const first = await post('/redemptions', request);
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        redemptionId: 'pos-7-r-1',
        memberId: 'm-redeem',
        points: 250,
        available: 750,
        fromLots: [{ lotId: expect.any(String), points: 250, expiresAt: expect.any(String) }],
        valueMinor: 250,
        currency: 'CNY',
      });
      const again = await post('/redemptions', { storeId: 'sh-07', points: 250, memberId: 'm-redeem', redemptionId: 'pos-7-r-1' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(await memberRow('m-redeem')).toMatchObject({ available: '750' });
      expect(await eventCount('m-redeem', 'points.redeemed')).toBe(1);
    });

    it('answers 409 idempotency_conflict when the id comes again with another body', async () => {
      await seed('m-conflict', 1000);
      expect((await post('/redemptions', { redemptionId: 'r-c', memberId: 'm-conflict', points: 100, storeId: 'sh-07' })).status).toBe(201);
      const other = await post('/redemptions', { redemptionId: 'r-c', memberId: 'm-conflict', points: 101, storeId: 'sh-07' });
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ error: 'idempotency_conflict' });
      const otherMember = await post('/redemptions', { redemptionId: 'r-c', memberId: 'm-redeem', points: 100, storeId: 'sh-07' });
      expect(otherMember.status).toBe(409);
      expect(await memberRow('m-conflict')).toMatchObject({ available: '900' });
    });

    it('answers 422 insufficient_points with what is available, and logs the refusal each time a retry is decided again on the member', async () => {
      await seed('m-poor', 40);
      const request = { redemptionId: 'r-poor', memberId: 'm-poor', points: 100, storeId: 'sh-07' };
      const refused = await post('/redemptions', request);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ error: 'insufficient_points', available: 40, requested: 100, message: expect.any(String) });
      expect(await post('/redemptions', request)).toEqual(refused);
      const rejections = await app.get(DataSource).query(`SELECT scope, causation_id, code, final FROM rejections WHERE member_id = 'm-poor'`);
      const logged = { scope: 'redemption', causation_id: 'r-poor', code: 'INSUFFICIENT_POINTS', final: false };
      expect(rejections).toEqual([logged, logged]);
      expect(await memberRow('m-poor')).toMatchObject({ available: '40' });
    });

    it('refuses redeeming for a member that has no points at all', async () => {
      const refused = await post('/redemptions', { redemptionId: 'r-nobody', memberId: 'm-nobody', points: 1, storeId: 'sh-07' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ error: 'insufficient_points', available: 0 });
    });

    it('answers 400 invalid_request naming every bad field', async () => {
      const bad = await post('/redemptions', { redemptionId: 'has space', memberId: '', points: 1.5, storeId: 'sh-07', rewardId: 7 });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_request');
      const fields = (bad.body.fields as { field: string }[]).map((f) => f.field).sort();
      expect(fields).toEqual(['memberId', 'points', 'redemptionId', 'rewardId']);
      const missing = await post('/redemptions', { redemptionId: 'r-x', memberId: 'm-x', storeId: 'sh-07' });
      expect(missing.status).toBe(400);
      expect((missing.body.fields as { field: string }[]).map((f) => f.field)).toEqual(['points']);
      const zero = await post('/redemptions', { redemptionId: 'r-x', memberId: 'm-x', storeId: 'sh-07', points: 0 });
      expect(zero.status).toBe(400);
    });

    it('needs a token, and a store token may only redeem for its own store', async () => {
      const request = { redemptionId: 'r-auth', memberId: 'm-redeem', points: 1, storeId: 'sh-07' };
      expect((await post('/redemptions', request, null)).status).toBe(401);
      expect((await post('/redemptions', request, READ)).status).toBe(403);
      const otherStore = await post('/redemptions', request, BJ01);
      expect(otherStore.status).toBe(403);
      expect(otherStore.body).toMatchObject({ error: 'forbidden' });
      expect((await post('/redemptions', request, OPS)).status).toBe(201);
    });

    it('lets 200 concurrent redemptions on one member spend exactly what is affordable, never below zero (invariant 3)', async () => {
      await seed('m-hot', 1000);
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => post('/redemptions', { redemptionId: `r-hot-${i}`, memberId: 'm-hot', points: 30, storeId: 'sh-07' })),
      );
      const created = responses.filter((r) => r.status === 201);
      const refused = responses.filter((r) => r.status === 422);
      expect(created).toHaveLength(33);
      expect(refused).toHaveLength(167);
      // Each success saw the one before it: the balances after them are 970, 940, ... 10, each once.
      const availableAfter = created.map((r) => r.body.available as number).sort((a, b) => a - b);
      expect(availableAfter).toEqual(Array.from({ length: 33 }, (_, i) => 10 + 30 * i));
      for (const r of refused) {
        expect(r.body).toMatchObject({ error: 'insufficient_points' });
        expect(r.body.available as number).toBeGreaterThanOrEqual(0);
        expect(r.body.available as number).toBeLessThan(30);
      }
      expect(await memberRow('m-hot')).toMatchObject({ available: '10', held: '0' });
      expect(await eventCount('m-hot', 'points.redeemed')).toBe(33);
    });

    it('redeems a catalog reward at its price, and refuses one above the member tier', async () => {
      await seed('m-reward', 1000);
      const tea = await post('/redemptions', { redemptionId: 'r-tea', memberId: 'm-reward', storeId: 'sh-07', rewardId: 'tea' });
      expect(tea.status).toBe(201);
      expect(tea.body).toMatchObject({ points: 300, rewardId: 'tea', available: 700, valueMinor: 300 });
      const mug = await post('/redemptions', { redemptionId: 'r-mug', memberId: 'm-reward', storeId: 'sh-07', rewardId: 'mug' });
      expect(mug.status).toBe(422);
      expect(mug.body).toMatchObject({ error: 'tier_too_low', requiredTier: 'gold' });
      const unknown = await post('/redemptions', { redemptionId: 'r-none', memberId: 'm-reward', storeId: 'sh-07', rewardId: 'nothing' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ error: 'reward_not_found' });
      const wrongPrice = await post('/redemptions', { redemptionId: 'r-tea-2', memberId: 'm-reward', storeId: 'sh-07', rewardId: 'tea', points: 1 });
      expect(wrongPrice.status).toBe(422);
      expect(wrongPrice.body).toMatchObject({ error: 'reward_price_mismatch', price: 300 });
    });
  });

  describe('rewards with limited stock', () => {
    const stockLeft = async () =>
      Number((await app.get(DataSource).query(`SELECT remaining FROM reward_stock WHERE reward_id = 'limited'`))[0]?.remaining ?? 2);

    it('never gives out more units than the stock, across members and at once; a refusal or reversal puts the unit back', async () => {
      await seed('m-poor-collector', 50);
      const poor = await post('/redemptions', { redemptionId: 'r-lim-poor', memberId: 'm-poor-collector', storeId: 'sh-07', rewardId: 'limited' });
      expect(poor.body).toMatchObject({ error: 'insufficient_points' });
      expect(await stockLeft()).toBe(2);

      const members = Array.from({ length: 6 }, (_, i) => `m-collector-${i}`);
      for (const m of members) await seed(m, 500);
      const responses = await Promise.all(
        members.map((m, i) => post('/redemptions', { redemptionId: `r-lim-${i}`, memberId: m, storeId: 'sh-07', rewardId: 'limited' })),
      );
      const winners = responses.flatMap((r, i) => (r.status === 201 ? [i] : []));
      expect(winners).toHaveLength(2);
      const losers = responses.filter((r) => r.status !== 201);
      expect(losers.map((r) => r.status)).toEqual([409, 409, 409, 409]);
      expect(losers[0].body).toMatchObject({ error: 'reward_out_of_stock', rewardId: 'limited' });
      expect(await stockLeft()).toBe(0);

      // A retry of a winner keeps its unit; a retry of a loser is refused again.
      const winner = winners[0];
      const retry = await post('/redemptions', { redemptionId: `r-lim-${winner}`, memberId: members[winner], storeId: 'sh-07', rewardId: 'limited' });
      expect(retry.status).toBe(200);
      expect(await stockLeft()).toBe(0);

      expect((await post(`/redemptions/r-lim-${winner}/reverse`)).status).toBe(200);
      expect(await stockLeft()).toBe(1);
      const late = await post('/redemptions', { redemptionId: 'r-lim-late', memberId: 'm-collector-late', storeId: 'sh-07', rewardId: 'limited' });
      expect(late.body).toMatchObject({ error: 'insufficient_points' });
      expect(await stockLeft()).toBe(1);
      await seed('m-collector-late', 100);
      const again = await post('/redemptions', { redemptionId: 'r-lim-late-2', memberId: 'm-collector-late', storeId: 'sh-07', rewardId: 'limited' });
      expect(again.status).toBe(201);
      expect(await stockLeft()).toBe(0);
    });
  });

  describe('POST /redemptions/{id}/reverse', () => {
    it('puts the points back once (ops or the store that redeemed), answering a retry with the same result', async () => {
      await seed('m-reverse', 500);
      expect((await post('/redemptions', { redemptionId: 'r-rev', memberId: 'm-reverse', points: 200, storeId: 'sh-07' })).status).toBe(201);
      expect((await post('/redemptions/r-rev/reverse', undefined, BJ01)).status).toBe(404);
      const reversed = await post('/redemptions/r-rev/reverse');
      expect(reversed.status).toBe(200);
      expect(reversed.body).toMatchObject({ redemptionId: 'r-rev', memberId: 'm-reverse', points: 200, available: 500 });
      const again = await post('/redemptions/r-rev/reverse', undefined, OPS);
      expect(again).toEqual(reversed);
      expect(await memberRow('m-reverse')).toMatchObject({ available: '500' });
      expect(await eventCount('m-reverse', 'redemption.reversed')).toBe(1);
    });

    it('answers 404 for a redemption that does not exist or was refused, 400 for a malformed id', async () => {
      expect((await post('/redemptions/never-made/reverse')).body).toMatchObject({ error: 'redemption_not_found' });
      expect((await post('/redemptions/never-made/reverse')).status).toBe(404);
      expect((await post('/redemptions/r-poor/reverse')).status).toBe(404);
      expect((await post(`/redemptions/${'x'.repeat(65)}/reverse`)).status).toBe(400);
    });
  });

  describe('holds', () => {
    it('holds points (201, 200 on a retry), captures part and releases the rest, and resolves only once', async () => {
      await seed('m-hold', 1000);
      const request = { holdId: 'h-1', memberId: 'm-hold', points: 400, storeId: 'sh-07', ttlSeconds: 600 };
      const held = await post('/holds', request);
      expect(held.status).toBe(201);
      expect(held.body).toMatchObject({ holdId: 'h-1', memberId: 'm-hold', points: 400, available: 600, expiresAt: expect.any(String) });
      expect(await post('/holds', request)).toEqual({ status: 200, body: held.body });
      expect((await post('/holds', { ...request, points: 401 })).body).toMatchObject({ error: 'idempotency_conflict' });
      expect(await memberRow('m-hold')).toMatchObject({ available: '600', held: '400' });

      expect((await post('/holds/h-1/capture', { points: 401 })).body).toMatchObject({ error: 'capture_exceeds_hold', held: 400 });
      expect((await post('/holds/h-1/capture', { points: 150 }, BJ01)).status).toBe(404);
      const captured = await post('/holds/h-1/capture', { points: 150 });
      expect(captured.status).toBe(200);
      expect(captured.body).toMatchObject({ holdId: 'h-1', captured: 150, released: 250, available: 850 });
      expect(await post('/holds/h-1/capture', { points: 150 })).toEqual(captured);
      expect(await memberRow('m-hold')).toMatchObject({ available: '850', held: '0' });

      const release = await post('/holds/h-1/release');
      expect(release.status).toBe(409);
      expect(release.body).toMatchObject({ error: 'hold_already_resolved', holdStatus: 'captured' });
      // The member state keeps open holds only.
      expect((await app.get(LedgerQueries).memberState('m-hold'))?.holds).toEqual({});
    });

    it('releases a hold on request, after which it cannot be captured', async () => {
      await seed('m-release', 300);
      expect((await post('/holds', { holdId: 'h-2', memberId: 'm-release', points: 300, storeId: 'sh-07', ttlSeconds: 60 })).status).toBe(201);
      expect((await post('/holds', { holdId: 'h-3', memberId: 'm-release', points: 1, storeId: 'sh-07', ttlSeconds: 60 })).body).toMatchObject({
        error: 'insufficient_points',
        available: 0,
      });
      const released = await post('/holds/h-2/release');
      expect(released).toEqual({ status: 200, body: { holdId: 'h-2', memberId: 'm-release', released: 300, available: 300 } });
      expect((await post('/holds/h-2/capture')).body).toMatchObject({ error: 'hold_already_resolved' });
      expect((await post('/holds/h-2/capture')).status).toBe(409);
      expect((await post('/holds/unknown/capture')).status).toBe(404);
      expect((await post('/holds/unknown/release')).body).toMatchObject({ error: 'hold_not_found' });
    });

    it('refuses a capture of null points (absent captures the whole hold; null is no amount)', async () => {
      await seed('m-null', 100);
      expect((await post('/holds', { holdId: 'h-null', memberId: 'm-null', points: 100, storeId: 'sh-07', ttlSeconds: 600 })).status).toBe(201);
      const refused = await post('/holds/h-null/capture', { points: null });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'invalid_request', fields: [{ field: 'points', problems: expect.any(Array) }] });
      expect(await memberRow('m-null')).toMatchObject({ available: '0', held: '100' });
      expect(await post('/holds/h-null/capture', {})).toMatchObject({ status: 200, body: { captured: 100, released: 0 } });
    });

    it('validates hold requests', async () => {
      const bad = await post('/holds', { holdId: 'h-bad', memberId: 'm-hold', points: -1, storeId: 'sh-07', ttlSeconds: 0 });
      expect(bad.status).toBe(400);
      expect((bad.body.fields as { field: string }[]).map((f) => f.field).sort()).toEqual(['points', 'ttlSeconds']);
    });

    it('releases a hold once its ttl is over, and refuses capturing it then', async () => {
      await seed('m-expire', 100);
      expect((await post('/holds', { holdId: 'h-exp', memberId: 'm-expire', points: 80, storeId: 'sh-07', ttlSeconds: 60 })).status).toBe(201);
      const job = app.get(HoldExpiryJob);
      expect(await job.sweep()).toMatchObject({ holdsReleased: 0 });
      clockAheadMs = 61_000;
      try {
        const report = await job.sweep();
        expect(report).toMatchObject({ members: 1, holdsReleased: 1, pointsReleased: 80 });
        expect(await memberRow('m-expire')).toMatchObject({ available: '100', held: '0' });
        expect(await job.sweep()).toMatchObject({ holdsReleased: 0 });
        const capture = await post('/holds/h-exp/capture');
        expect(capture.status).toBe(409);
        expect(capture.body).toMatchObject({ error: 'hold_already_resolved', holdStatus: 'released' });
      } finally {
        clockAheadMs = 0;
      }
    });
  });

  describe("another store's holds and redemptions", () => {
    it('are answered exactly as ones that do not exist, after the role is checked and before anything is looked up', async () => {
      await seed('m-scope', 1000);
      expect((await post('/holds', { holdId: 'h-sh07', memberId: 'm-scope', points: 100, storeId: 'sh-07', ttlSeconds: 600 })).status).toBe(201);
      expect((await post('/redemptions', { redemptionId: 'r-sh07', memberId: 'm-scope', points: 100, storeId: 'sh-07' })).status).toBe(201);
      const asOtherStore = async (path: string, body?: unknown) => post(path, body, BJ01);
      const cases = [
        ['/holds/h-sh07/capture', '/holds/h-never/capture', { points: 10 }],
        ['/holds/h-sh07/release', '/holds/h-never/release', undefined],
        ['/redemptions/r-sh07/reverse', '/redemptions/r-never/reverse', undefined],
      ] as const;
      for (const [theirs, none, body] of cases) {
        const foreign = await asOtherStore(theirs, body);
        const missing = await asOtherStore(none, body);
        expect(foreign.status).toBe(404);
        // The same answer but for the id the caller sent: nothing tells the two apart, nor names a store.
        expect(JSON.stringify(foreign.body).replace(/h-sh07|r-sh07/g, 'ID')).toBe(JSON.stringify(missing.body).replace(/h-never|r-never/g, 'ID'));
        expect(JSON.stringify(foreign.body)).not.toContain('sh-07');
        // A role that may not do this at all is refused before any lookup: the same 403 either way.
        expect(await post(theirs, body, READ)).toEqual(await post(none, body, READ));
        expect((await post(theirs, body, READ)).status).toBe(403);
      }
      expect(await memberRow('m-scope')).toMatchObject({ available: '800', held: '100' });
      // The owning store and ops still see them.
      expect((await post('/holds/h-sh07/capture', { points: 10 })).status).toBe(200);
      expect((await post('/redemptions/r-sh07/reverse', undefined, OPS)).status).toBe(200);
    });
  });

  describe('GET /rewards', () => {
    it('lists the rewards a member may redeem, each saying whether it is affordable', async () => {
      await seed('m-catalog', 1000);
      const listed = await call('GET', '/rewards?memberId=m-catalog', undefined, READ);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        memberId: 'm-catalog',
        tier: 'member',
        available: 1000,
        rewards: [
          { id: 'tea', name: 'Tea', points: 300, affordable: true },
          { id: 'big-tea', name: 'Big tea', points: 5000, affordable: false },
          { id: 'limited', name: 'Limited', points: 100, stock: 2, remaining: expect.any(Number), affordable: expect.any(Boolean) },
        ],
      });
      expect((await call('GET', '/rewards', undefined, READ)).status).toBe(400);
    });
  });
});
