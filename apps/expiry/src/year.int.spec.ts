import { INestApplication } from '@nestjs/common';
import { LedgerReplay, LedgerStore, auditLedger, migrateLedger } from '@tally/ledger';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers, testNamespace } from '@tally/testing';
import { DataSource } from 'typeorm';
/* eslint-disable @nx/enforce-module-boundaries -- the simulation boots the real tier service beside expiry */
import { AppModule as TierAppModule } from '../../tier/src/app.module';
import { TierConfig } from '../../tier/src/config/tier.config';
import { LedgerDriver } from '../../tier/src/testing/ledger-driver';
import { TierService } from '../../tier/src/tiers/tier.service';
/* eslint-enable @nx/enforce-module-boundaries */
import { AppModule as ExpiryAppModule } from './app.module';
import { ExpiryConfig } from './config/expiry.config';

const TOKEN = 'year-ops-token';
const DAY = 86_400_000;

/** Deterministic pseudo-random numbers: the same simulated history on every run. */
const lcg = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

describe('a simulated two years of earn, redeem, tier changes and expiry', () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  let tier: INestApplication;
  let expiry: INestApplication;
  let tierUrl: string;
  let expiryUrl: string;
  let dataSource: DataSource;

  const post = async (base: string, path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };

  beforeAll(async () => {
    db = await createTestDatabase('year', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_API_TOKENS: `${TOKEN}=ops`,
      TALLY_TOPIC_NAMESPACE: namespace,
      TALLY_TIER_DAILY_EVALUATION: 'off',
      TALLY_EXPIRY_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      PORT: '0',
    };
    tier = (await createServiceApp({ service: 'tier', defaultPort: 0, config: TierConfig, module: (c) => TierAppModule.forRoot(c), env })).app;
    await tier.listen(0);
    tierUrl = listeningUrl(tier);
    expiry = (await createServiceApp({ service: 'expiry', defaultPort: 0, config: ExpiryConfig, module: (c) => ExpiryAppModule.forRoot(c), env })).app;
    await expiry.listen(0);
    expiryUrl = listeningUrl(expiry);
    dataSource = expiry.get(DataSource);
  });

  afterAll(async () => {
    await expiry?.close();
    await tier?.close();
    await db?.drop();
  });

  it('replays to identical projections, passes the audit, and keeps lots and balances in step', async () => {
    const driver = new LedgerDriver(tier.get(LedgerStore));
    const tiers = tier.get(TierService);
    const random = lcg(42);
    const available = async (memberId: string): Promise<number> =>
      Number((await dataSource.query(`SELECT available FROM member_state WHERE member_id = $1`, [memberId]))[0]?.available ?? 0);

    const start = Date.parse('2040-01-06T02:00:00Z');
    const sweeps = { lotsExpired: 0, pointsExpired: 0, remindersSent: 0, downgraded: 0 };
    for (let week = 0; week < 104; week++) {
      const monday = start + week * 7 * DAY;
      const at = (hours: number) => new Date(monday + hours * 3_600_000).toISOString();
      const buys: [string, number][] = [['m-y-heavy', 30_000 + Math.floor(random() * 50_000)]];
      if (week < 20) buys.push(['m-y-fade', 20_000]);
      if (week % 2 === 0) buys.push(['m-y-redeem', 5_000 + Math.floor(random() * 10_000)]);
      if (week % 5 === 0) buys.push(['m-y-floor', 3_000]);
      if (week === 0) buys.push(['m-y-idle', 12_345]);
      for (const [memberId, amount] of buys) {
        await driver.purchase(memberId, amount, at(1));
        const [{ version }] = await dataSource.query(`SELECT version FROM member_state WHERE member_id = $1`, [memberId]);
        await tiers.upgrade([{ memberId, version }], at(2)); // what the consumer does when the event comes by
      }
      if (week % 4 === 3) {
        const points = Math.floor((await available('m-y-redeem')) / 2);
        if (points > 0) await driver.redeem('m-y-redeem', points, at(3));
        const heavy = Math.floor((await available('m-y-heavy')) / 3);
        if (heavy > 0) await driver.redeem('m-y-heavy', heavy, at(3));
      }
      if (week === 10) await post(tierUrl, '/ops/members/m-y-floor/tier', { tier: 'gold', reason: 'partner status match' });
      for (let day = 0; day < 7; day += 3) {
        const evaluated = (await post(tierUrl, '/ops/tier/evaluate', { asOf: at(24 * day + 4) })) as { downgraded: number };
        sweeps.downgraded += evaluated.downgraded;
        const swept = (await post(expiryUrl, '/ops/expiry/run', { asOf: at(24 * day + 5) })) as typeof sweeps;
        sweeps.lotsExpired += swept.lotsExpired;
        sweeps.pointsExpired += swept.pointsExpired;
        sweeps.remindersSent += swept.remindersSent;
      }
    }

    // The simulation did exercise every path.
    const tiersNow = Object.fromEntries(
      (await dataSource.query(`SELECT member_id, tier FROM member_state ORDER BY member_id`)).map((r: { member_id: string; tier: string }) => [
        r.member_id,
        r.tier,
      ]),
    );
    expect(tiersNow).toMatchObject({ 'm-y-heavy': 'diamond', 'm-y-fade': 'member', 'm-y-floor': 'gold', 'm-y-idle': 'member' });
    expect(sweeps.lotsExpired).toBeGreaterThan(0);
    expect(sweeps.remindersSent).toBeGreaterThan(0);
    expect(sweeps.downgraded).toBeGreaterThan(0);
    const types = await dataSource.query(`SELECT type, count(*)::int AS n FROM ledger_events GROUP BY type ORDER BY type`);
    expect(types.map((t: { type: string }) => t.type)).toEqual(['points.earned', 'points.expired', 'points.redeemed', 'tier.changed']);
    const expiredInLog = await dataSource.query(
      `SELECT coalesce(sum((data->>'points')::int), 0)::int AS points, count(*)::int AS lots FROM ledger_events_expanded WHERE type = 'points.expired'`,
    );
    expect(expiredInLog[0]).toEqual({ points: sweeps.pointsExpired, lots: sweeps.lotsExpired });

    // Conservation: what is available and held is exactly what the open lots still hold.
    const mismatches = await dataSource.query(`
      SELECT s.member_id FROM member_state s LEFT JOIN (SELECT member_id, sum(remaining) AS remaining FROM open_lots GROUP BY member_id) l USING (member_id)
       WHERE s.available + s.held + s.debt <> coalesce(l.remaining, 0)`);
    expect(mismatches).toEqual([]);

    expect(await auditLedger(dataSource)).toMatchObject({ ok: true });
    const replay = await new LedgerReplay(dataSource).run({ swap: false });
    expect(replay).toMatchObject({ identical: true, differences: [], members: 5 });
    expect(replay.eventsReplayed).toBeGreaterThan(200);
  });
});
