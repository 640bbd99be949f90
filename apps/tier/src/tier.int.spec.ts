import { INestApplication } from '@nestjs/common';
import { LedgerEventMessage, Notification, Topics, physicalTopicName } from '@tally/contracts';
import { LedgerReplay, LedgerStore, OutboxRelay, migrateLedger, queryOf } from '@tally/ledger';
import { TypedProducer } from '@tally/messaging';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { DEFAULT_PROGRAM, tierByName } from '@tally/program';
import { FollowedTopic, TestDatabase, createTestDatabase, eventually, followTopic, testKafkaBrokers, testNamespace } from '@tally/testing';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { TierConfig } from './config/tier.config';
import { LedgerDriver } from './testing/ledger-driver';
import { TierService } from './tiers/tier.service';

const TOKEN = 'tier-ops-token';

describe('tier service against PostgreSQL and Kafka', () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let store: LedgerStore;
  let dataSource: DataSource;
  let tiers: TierService;
  let driver: LedgerDriver;
  let notices: FollowedTopic<Notification>;
  let secondEnv: Record<string, string>;

  const post = async (path: string, body: unknown, token: string | null = TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  /** The member's tier as its balance row has it, and the folded state the rules decide on. */
  const memberRow = async (memberId: string) => {
    const [row] = await dataSource.query(`SELECT tier FROM member_state WHERE member_id = $1`, [memberId]);
    return row && { tier: row.tier as string, state: (await store.states.read(queryOf(dataSource), [memberId])).get(memberId) };
  };

  const tierEvents = async (memberId: string) =>
    (await dataSource.query(
      `SELECT data, occurred_at, causation_id FROM ledger_events_expanded WHERE member_id = $1 AND type = 'tier.changed' ORDER BY version`,
      [memberId],
    )) as { data: { from: string; to: string; reason: string; floor?: string }; occurred_at: Date; causation_id: string }[];

  beforeAll(async () => {
    db = await createTestDatabase('tier', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_API_TOKENS: `${TOKEN}=ops,reader=read`,
      TALLY_TOPIC_NAMESPACE: namespace,
      TALLY_TIER_DAILY_EVALUATION: 'off',
      // The service's producer (the test relays ledger events with it) sends lz4, which its consumer must read.
      TALLY_KAFKA_COMPRESSION: 'lz4',
      LOG_LEVEL: 'warn',
      PORT: '0',
    };
    secondEnv = env;
    app = (await createServiceApp({ service: 'tier', defaultPort: 0, config: TierConfig, module: (c) => AppModule.forRoot(c), env })).app;
    await app.listen(0);
    url = listeningUrl(app);
    store = app.get(LedgerStore);
    dataSource = app.get(DataSource);
    tiers = app.get(TierService);
    driver = new LedgerDriver(store);

    notices = await followTopic<Notification>(physicalTopicName(Topics.notifications, namespace), `${namespace}notices-reader`);
  });

  afterAll(async () => {
    await notices?.stop();
    await app?.close();
    await db?.drop();
  });

  it('consumes loyalty.ledger.v1: upgrades a member whose points cross a threshold, announces the change, dead-letters junk, and a redelivery appends nothing', async () => {
    // Business time near the real clock: the consumer evaluates at "now".
    const justNow = new Date(Date.now() - 60_000).toISOString();
    await driver.purchase('m-live', 120_000, justNow);
    const producer = app.get(TypedProducer);
    const relay = new OutboxRelay(dataSource, (events) =>
      producer.send(
        Topics.ledger,
        events.map(({ prevHash: _prevHash, ...event }) => ({ key: event.memberId, value: event as LedgerEventMessage })),
      ),
    );
    const relayAll = async () => {
      while ((await relay.relayOnce()) > 0);
    };

    // Something that is not a ledger event is dead-lettered and does not block the partition.
    await producer.sendRaw(physicalTopicName(Topics.ledger, namespace), [{ key: 'm-live', value: Buffer.from('{"not json') }]);
    await relayAll();
    await eventually(async () => ((await memberRow('m-live'))?.tier === 'silver' ? true : undefined));
    // The batch's upgrades are written before its dead letters: wait for those as well.
    const letters = await eventually(async () => {
      const rows: unknown[] = await dataSource.query(`SELECT source_topic, reason FROM dead_letters`);
      return rows.length > 0 ? rows : undefined;
    });
    expect(letters).toEqual([{ source_topic: 'loyalty.ledger.v1', reason: 'invalid_json' }]);
    await relayAll(); // the tier.changed event itself goes out on the ledger topic too
    const notice = await eventually(async () => notices.received.find((n) => n.memberId === 'm-live'));
    expect(notice).toMatchObject({ type: 'tier.changed', memberId: 'm-live', from: 'member', to: 'silver' });
    const [changed] = await tierEvents('m-live');
    expect(changed.causation_id).toBe('m-live@1');
    expect(new Date(notice.type === 'tier.changed' ? notice.effectiveAt : '').toISOString()).toBe(changed.occurred_at.toISOString());

    // Redelivering the same ledger events decides nothing new.
    await dataSource.query(`INSERT INTO outbox (positions) SELECT array_agg(position ORDER BY position) FROM ledger_events WHERE member_id = 'm-live'`);
    await relayAll();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await tierEvents('m-live')).toHaveLength(1);
  });

  it('upgrades as soon as the threshold is reached, and the member then earns at the new tier multiplier', async () => {
    await driver.purchase('m-up', 60_000, '2026-02-01T10:00:00Z'); // 600 points
    expect(await tiers.upgrade([{ memberId: 'm-up', version: 1 }], '2026-02-01T10:05:00Z')).toEqual({ checked: 1, upgraded: 0 });
    await driver.purchase('m-up', 50_000, '2026-03-01T10:00:00Z'); // 1,100 qualifying points: silver
    expect(await tiers.upgrade([{ memberId: 'm-up', version: 2 }], '2026-03-01T10:05:00Z')).toEqual({ checked: 1, upgraded: 1 });
    expect(await tiers.upgrade([{ memberId: 'm-up', version: 2 }], '2026-03-01T10:06:00Z')).toEqual({ checked: 1, upgraded: 0 });

    const row = await memberRow('m-up');
    expect(row?.tier).toBe('silver');
    expect(row?.state?.lastUpgradeAt).toBe('2026-03-01T10:05:00.000Z');
    expect(tierByName(DEFAULT_PROGRAM, row?.tier ?? '')?.multiplier).toBe(1.25);

    const earned = await driver.purchase('m-up', 10_000, '2026-03-02T10:00:00Z');
    expect(earned.data).toMatchObject({ tier: 'silver', multiplier: 1.25, points: 125 });
    expect((await tierEvents('m-up')).map((e) => [e.data.from, e.data.to, e.data.reason])).toEqual([['member', 'silver', 'threshold-reached']]);
  });

  it('downgrades only by the daily evaluation, never within 365 days of the upgrade', async () => {
    // m-up: upgraded 2026-03-01T10:05Z on 1,100 points; 125 more on 2026-03-02. (m-live, silver since today, still qualifies.)
    const protectedRun = await post('/ops/tier/evaluate', { asOf: '2027-02-15T03:00:00Z' });
    expect(protectedRun.status).toBe(200);
    expect(protectedRun.body).toMatchObject({ day: '2027-02-15', membersEvaluated: 2, downgraded: 0, protected: 1 });
    expect((await post('/ops/tier/evaluate', { asOf: '2027-03-01T10:00:00Z' })).body).toMatchObject({ downgraded: 0, protected: 1 });
    expect((await memberRow('m-up'))?.tier).toBe('silver');

    const due = await post('/ops/tier/evaluate', { asOf: '2027-03-03T03:00:00Z' });
    expect(due.body).toMatchObject({ membersEvaluated: 2, downgraded: 1 });
    expect((await memberRow('m-up'))?.tier).toBe('member');
    expect((await memberRow('m-live'))?.tier).toBe('silver');
    // The same day again: m-up (on the lowest tier now, but it once earned enough for the next) has nothing more to change.
    expect((await post('/ops/tier/evaluate', { asOf: '2027-03-03T09:00:00Z' })).body).toMatchObject({ membersEvaluated: 2, upgraded: 0, downgraded: 0 });
    const events = await tierEvents('m-up');
    expect(events.map((e) => [e.data.from, e.data.to, e.data.reason, e.causation_id])).toEqual([
      ['member', 'silver', 'threshold-reached', 'm-up@2'],
      ['silver', 'member', 'daily-evaluation', 'daily@2027-03-03@m-up'],
    ]);
  });

  it('keeps a tier the points still earn, and downgrades once they leave the window', async () => {
    await driver.purchase('m-gold', 600_000, '2027-03-10T10:00:00Z'); // 6,000 points
    await tiers.upgrade([{ memberId: 'm-gold', version: 1 }], '2027-03-10T10:01:00Z');
    expect((await memberRow('m-gold'))?.tier).toBe('gold');
    await tiers.evaluateDaily('2027-12-01T03:00:00Z');
    expect((await memberRow('m-gold'))?.tier).toBe('gold');
    await tiers.evaluateDaily('2028-03-20T03:00:00Z');
    expect((await memberRow('m-gold'))?.tier).toBe('member');
    expect((await tierEvents('m-gold')).map((e) => [e.data.from, e.data.to, e.causation_id])).toEqual([
      ['member', 'gold', 'm-gold@1'],
      ['gold', 'member', 'daily@2028-03-20@m-gold'],
    ]);
  });

  it('sets a tier floor for ops: 404 for an unknown member, 400 unknown_tier, and the daily evaluation never goes below it', async () => {
    await driver.purchase('m-floor', 20_000, '2027-04-01T10:00:00Z');
    expect((await post('/ops/members/m-nobody/tier', { tier: 'gold', reason: 'vip' })).status).toBe(404);
    const unknown = await post('/ops/members/m-floor/tier', { tier: 'platinum', reason: 'vip' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'unknown_tier', knownTiers: ['member', 'silver', 'gold', 'diamond'] });
    expect((await post('/ops/members/m-floor/tier', { reason: 'vip' })).body).toMatchObject({ error: 'invalid_request' });
    expect((await post('/ops/members/m-floor/tier', { tier: 'gold', reason: 'vip' }, null)).status).toBe(401);
    expect((await post('/ops/members/m-floor/tier', { tier: 'gold', reason: 'vip' }, 'reader')).status).toBe(403);

    const set = await post('/ops/members/m-floor/tier', { tier: 'gold', reason: 'complaint resolution' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ memberId: 'm-floor', from: 'member', tier: 'gold', floor: 'gold', changed: true });
    expect((await memberRow('m-floor'))?.state?.tierFloor).toBe('gold');

    // Two years later, with no qualifying points, the floor holds.
    expect((await post('/ops/tier/evaluate', { asOf: '2029-05-01T03:00:00Z' })).body).toMatchObject({ downgraded: 0 });
    expect((await memberRow('m-floor'))?.tier).toBe('gold');
    expect((await tierEvents('m-floor')).map((e) => [e.data.to, e.data.reason, e.data.floor])).toEqual([['gold', 'ops-floor', 'gold']]);
  });

  it('refuses an evaluation asOf that is null or an instant Date cannot read with 400 invalid_request', async () => {
    for (const asOf of [null, '2026-W01', '2026-01-01T00:00:00,5Z']) {
      expect(await post('/ops/tier/evaluate', { asOf })).toMatchObject({ status: 400, body: { error: 'invalid_request', fields: [{ field: 'asOf' }] } });
    }
  });

  it('upgrades and downgrades each member once when two instances act on the same member at once', async () => {
    const { app: second } = await createServiceApp({
      service: 'tier',
      defaultPort: 0,
      config: TierConfig,
      module: (c) => AppModule.forRoot(c),
      env: secondEnv,
    });
    try {
      const other = second.get(TierService);
      await driver.purchase('m-twice', 120_000, '2029-01-10T10:00:00Z');
      await Promise.all([
        tiers.upgrade([{ memberId: 'm-twice', version: 1 }], '2029-01-10T10:01:00Z'),
        other.upgrade([{ memberId: 'm-twice', version: 1 }], '2029-01-10T10:01:00Z'),
      ]);
      const [a, b] = await Promise.all([tiers.evaluateDaily('2031-06-01T03:00:00Z'), other.evaluateDaily('2031-06-01T03:00:00Z')]);
      expect(a.downgraded + b.downgraded).toBeGreaterThanOrEqual(1);
      expect((await tierEvents('m-twice')).map((e) => [e.data.from, e.data.to, e.causation_id])).toEqual([
        ['member', 'silver', 'm-twice@1'],
        ['silver', 'member', 'daily@2031-06-01@m-twice'],
      ]);
      expect((await memberRow('m-twice'))?.tier).toBe('member');
    } finally {
      await second.close();
    }
  });

  it('leaves projections that a replay of the log rebuilds identically', async () => {
    const report = await new LedgerReplay(dataSource).run({ swap: false });
    expect(report).toMatchObject({ identical: true, differences: [] });
  });
});
