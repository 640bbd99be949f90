import { INestApplication } from '@nestjs/common';
import { Notification, PointsExpiringSoon, Topics, physicalTopicName } from '@tally/contracts';
import { LedgerReplay, LedgerStore, auditLedger, migrateLedger } from '@tally/ledger';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { FollowedTopic, TestDatabase, createTestDatabase, eventually, followTopic, testKafkaBrokers, testNamespace } from '@tally/testing';
import { DataSource } from 'typeorm';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test support shared with the tier service's integration tests
import { LedgerDriver } from '../../tier/src/testing/ledger-driver';
import { AppModule } from './app.module';
import { ExpiryConfig } from './config/expiry.config';

const TOKEN = 'expiry-ops-token';

interface Summary {
  lotsExpired: number;
  pointsExpired: number;
  pointsReleased: number;
  remindersSent: number;
}

describe('expiry service against PostgreSQL and Kafka', () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  let app: INestApplication;
  let second: INestApplication;
  let url: string;
  let secondUrl: string;
  let dataSource: DataSource;
  let driver: LedgerDriver;
  let notices: FollowedTopic<Notification>;

  const sweep = async (asOf: string, base = url): Promise<Summary> => {
    const res = await fetch(`${base}/ops/expiry/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ asOf }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Summary;
  };

  const expiredEvents = async (memberPattern: string) =>
    (
      await dataSource.query(
        `SELECT member_id, data->>'lotId' AS lot_id, (data->>'points')::int AS points FROM ledger_events_expanded
          WHERE type = 'points.expired' AND member_id LIKE $1 ORDER BY member_id, version`,
        [memberPattern],
      )
    ).map((r: { member_id: string; lot_id: string; points: number }) => [r.member_id, r.lot_id, r.points]);

  const balance = async (memberId: string) =>
    (await dataSource.query(`SELECT available::int, pending::int, expired::int FROM member_state WHERE member_id = $1`, [memberId]))[0];

  beforeAll(async () => {
    db = await createTestDatabase('expiry', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_API_TOKENS: `${TOKEN}=ops`,
      TALLY_TOPIC_NAMESPACE: namespace,
      TALLY_EXPIRY_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      PORT: '0',
    };
    const boot = async () => {
      const instance = (await createServiceApp({ service: 'expiry', defaultPort: 0, config: ExpiryConfig, module: (c) => AppModule.forRoot(c), env })).app;
      await instance.listen(0);
      return instance;
    };
    app = await boot();
    url = listeningUrl(app);
    second = await boot(); // a second instance of the service on the same ledger
    secondUrl = listeningUrl(second);
    dataSource = app.get(DataSource);
    driver = new LedgerDriver(app.get(LedgerStore));

    notices = await followTopic<Notification>(physicalTopicName(Topics.notifications, namespace), `${namespace}notices-reader`);
  });

  afterAll(async () => {
    await notices?.stop();
    await second?.close();
    await app?.close();
    await db?.drop();
  });

  // Each test lives in its own years, so a sweep finds only its own lots due.

  it('expires exactly the remainders of lots earned on different dates after a partial redemption, and nothing twice', async () => {
    await driver.purchase('m-exp', 10_000, '2025-01-10T10:00:00Z'); // 100 points, expire 2026-01-10
    await driver.purchase('m-exp', 20_000, '2025-03-01T10:00:00Z'); // 200 points, expire 2026-03-01
    await driver.purchase('m-exp', 30_000, '2025-06-01T10:00:00Z'); // 300 points, expire 2026-06-01
    expect(await driver.redeem('m-exp', 150, '2025-07-01T10:00:00Z')).toEqual([
      { lotId: 'lot-m-exp-1', points: 100 },
      { lotId: 'lot-m-exp-2', points: 50 },
    ]);

    expect(await sweep('2026-01-15T00:00:00Z')).toMatchObject({ lotsExpired: 0, pointsExpired: 0 }); // lot 1 was spent
    expect(await sweep('2026-03-05T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 150 });
    expect(await sweep('2026-03-05T00:00:00Z')).toMatchObject({ lotsExpired: 0, pointsExpired: 0 });
    expect(await sweep('2026-03-06T00:00:00Z')).toMatchObject({ lotsExpired: 0, pointsExpired: 0 });
    expect(await sweep('2026-06-01T10:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 300 }); // due at its instant
    expect(await sweep('2026-07-01T00:00:00Z')).toMatchObject({ lotsExpired: 0, pointsExpired: 0 });

    expect(await expiredEvents('m-exp')).toEqual([
      ['m-exp', 'lot-m-exp-2', 150],
      ['m-exp', 'lot-m-exp-3', 300],
    ]);
    expect(await balance('m-exp')).toEqual({ available: 0, pending: 0, expired: 450 });
  });

  it('expires nothing twice when sweeps run concurrently on two instances, at the same instant or not, over more members than one batch', async () => {
    const members = Array.from({ length: 520 }, (_, i) => `m-conc-${String(i).padStart(3, '0')}`);
    for (const memberId of members) await driver.purchase(memberId, 10_000, '2030-01-01T10:00:00Z');
    for (const memberId of members.slice(0, 40)) await driver.purchase(memberId, 20_000, '2030-02-01T10:00:00Z');

    const sweeps = await Promise.all([
      sweep('2031-03-01T00:00:00Z'),
      sweep('2031-03-01T00:00:00Z', secondUrl),
      sweep('2031-03-01T00:00:00Z'),
      sweep('2031-03-01T00:00:01Z', secondUrl),
      sweep('2031-03-02T00:00:00Z'),
    ]);
    const total = sweeps.reduce((sum, s) => ({ lots: sum.lots + s.lotsExpired, points: sum.points + s.pointsExpired }), { lots: 0, points: 0 });
    expect(total).toEqual({ lots: 560, points: 520 * 100 + 40 * 200 });

    const expired = await expiredEvents('m-conc-%');
    expect(expired).toHaveLength(560);
    expect(new Set(expired.map(([memberId, lotId]: string[]) => `${memberId}/${lotId}`)).size).toBe(560);
    expect(await sweep('2031-03-03T00:00:00Z')).toMatchObject({ lotsExpired: 0, pointsExpired: 0 });
  });

  it('announces lots expiring within the reminder window once per lot, one notice per member and sweep', async () => {
    await driver.purchase('m-rem', 10_000, '2032-03-01T10:00:00Z'); // expires 2033-03-01
    await driver.purchase('m-rem', 20_000, '2032-03-03T10:00:00Z'); // expires 2033-03-03
    await driver.purchase('m-rem', 40_000, '2032-03-20T10:00:00Z'); // expires 2033-03-20
    await driver.redeem('m-rem', 30, '2032-04-01T10:00:00Z');

    expect(await sweep('2033-01-20T00:00:00Z')).toMatchObject({ remindersSent: 0 });
    expect(await sweep('2033-02-05T00:00:00Z')).toMatchObject({ remindersSent: 1 }); // window to 2033-03-07: lots 1 and 2
    expect(await sweep('2033-02-06T00:00:00Z')).toMatchObject({ remindersSent: 0 });
    expect(await sweep('2033-02-19T00:00:00Z')).toMatchObject({ remindersSent: 1 }); // lot 3 enters the window
    expect(await sweep('2033-02-20T00:00:00Z')).toMatchObject({ remindersSent: 0 });

    const notes = await eventually(async () => {
      const mine = notices.received.filter((n): n is PointsExpiringSoon => n.type === 'points.expiring-soon' && n.memberId === 'm-rem');
      return mine.length >= 2 ? mine : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(notices.received.filter((n) => n.memberId === 'm-rem')).toHaveLength(2);
    expect(notes[0]).toEqual({
      type: 'points.expiring-soon',
      memberId: 'm-rem',
      points: 70 + 200,
      expiresAt: '2033-03-01T10:00:00.000Z',
      lots: [
        { lotId: 'lot-m-rem-1', points: 70, expiresAt: '2033-03-01T10:00:00.000Z' },
        { lotId: 'lot-m-rem-2', points: 200, expiresAt: '2033-03-03T10:00:00.000Z' },
      ],
    });
    expect(notes[1]).toMatchObject({ points: 400, lots: [{ lotId: 'lot-m-rem-3', points: 400 }] });
    const recorded = await dataSource.query(`SELECT lot_id FROM expiry_notices WHERE member_id = 'm-rem' ORDER BY lot_id`);
    expect(recorded.map((r: { lot_id: string }) => r.lot_id)).toEqual(['lot-m-rem-1', 'lot-m-rem-2', 'lot-m-rem-3']);

    expect(await sweep('2033-04-01T00:00:00Z')).toMatchObject({ lotsExpired: 3, pointsExpired: 670, remindersSent: 0 });
  });

  it('releases pending points when due (in the same sweep as expiry) and expires them later', async () => {
    const earned = (lotId: string, points: number, occurredAt: string, availableAt: string, expiresAt: string) => ({
      type: 'points.earned' as const,
      memberId: 'm-pend',
      occurredAt,
      data: { points, lotId, expiresAt, availableAt, reason: 'purchase' as const, storeId: 'sh-07', tier: 'member', multiplier: 1, ruleIds: [] },
    });
    await driver.append('m-pend', [
      earned('lot-p1', 500, '2035-01-10T00:00:00Z', '2035-01-20T00:00:00Z', '2036-01-10T00:00:00Z'),
      earned('lot-p2', 70, '2035-01-11T00:00:00Z', '2035-02-01T00:00:00Z', '2035-03-01T00:00:00Z'),
    ]);
    expect(await balance('m-pend')).toEqual({ available: 0, pending: 570, expired: 0 });

    expect(await sweep('2035-01-15T00:00:00Z')).toMatchObject({ pointsReleased: 0, pointsExpired: 0 });
    expect(await sweep('2035-01-21T00:00:00Z')).toMatchObject({ pointsReleased: 500, pointsExpired: 0 });
    expect(await balance('m-pend')).toEqual({ available: 500, pending: 70, expired: 0 });
    expect(await sweep('2035-01-21T00:00:00Z')).toMatchObject({ pointsReleased: 0 });
    // The sweep ran late: lot-p2 is released and expires in the same sweep.
    expect(await sweep('2035-03-02T00:00:00Z')).toMatchObject({ pointsReleased: 70, lotsExpired: 1, pointsExpired: 70 });
    expect(await sweep('2036-01-11T00:00:00Z')).toMatchObject({ pointsReleased: 0, lotsExpired: 1, pointsExpired: 500 });
    expect(await balance('m-pend')).toEqual({ available: 0, pending: 0, expired: 570 });
    const released = await dataSource.query(
      `SELECT data->>'lotId' AS lot_id, occurred_at FROM ledger_events_expanded WHERE member_id = 'm-pend' AND type = 'points.released' ORDER BY version`,
    );
    expect(released.map((r: { lot_id: string; occurred_at: Date }) => [r.lot_id, r.occurred_at.toISOString()])).toEqual([
      ['lot-p1', '2035-01-20T00:00:00.000Z'],
      ['lot-p2', '2035-02-01T00:00:00.000Z'],
    ]);
  });

  it('refuses a sweep asOf that is null or an instant Date cannot read with 400 invalid_request', async () => {
    for (const asOf of [null, '2026-W01', '2026-01-01T00:00:00,5Z']) {
      const res = await fetch(`${url}/ops/expiry/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ asOf }),
      });
      expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 400, body: { error: 'invalid_request', fields: [{ field: 'asOf' }] } });
    }
  });

  it('leaves a log whose audit passes and whose replay rebuilds identical projections', async () => {
    expect(await auditLedger(dataSource)).toMatchObject({ ok: true });
    expect(await new LedgerReplay(dataSource).run({ swap: false })).toMatchObject({ identical: true, differences: [] });
  });
});
