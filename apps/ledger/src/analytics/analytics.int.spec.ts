import { INestApplication } from '@nestjs/common';
import { LedgerEventMessage, NewLedgerEvent } from '@tally/contracts';
import { LedgerStore, toLedgerEvent } from '@tally/ledger';
import { eventually, testKafkaBrokers } from '@tally/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';
import { AnalyticsReadModel } from './store/read-model.service';

const OPS = 'an-ops';
const READ = 'an-read';
const SH = 'an-sh07';

const earned = (memberId: string, occurredAt: string, points: number, storeId?: string, reason = 'purchase'): NewLedgerEvent =>
  ({
    type: 'points.earned',
    memberId,
    occurredAt,
    data: {
      points,
      lotId: `l-${memberId}-${occurredAt}-${points}`,
      expiresAt: '2099-01-01T00:00:00.000Z',
      reason,
      ...(storeId ? { storeId } : {}),
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
    },
  }) as NewLedgerEvent;

describe('analytics read model and leaderboards (ledger app, real Kafka and PostgreSQL)', () => {
  let ledger: RunningLedgerApp;
  let app: INestApplication;
  let url: string;
  let seq = 0;
  const namespace = `int-analytics-${Date.now()}.`;

  const append = (memberId: string, events: NewLedgerEvent[]) =>
    app
      .get(LedgerStore)
      .executeOne({ scope: 'analytics-test', causationId: `c-${++seq}`, memberIds: [memberId], decide: () => ({ kind: 'append', result: null, events }) });

  const get = async (path: string, token = OPS) => {
    const response = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as any };
  };

  const caughtUp = () =>
    eventually(
      async () => {
        const { body } = await get('/analytics/lag');
        return body.positionsBehind === 0 && body.eventsApplied > 0 ? body : undefined;
      },
      60_000,
      'the read model caught up with the log',
    );

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_analytics', OPS, namespace, { [READ]: 'read', [SH]: 'store:sh-07' });
    ({ app, url } = ledger);
    // 2026-11-23 in Shanghai; the last one is 23:30 UTC on the 23rd, which is already the 24th there.
    await append('m-a', [earned('m-a', '2026-11-23T10:00:00+08:00', 100, 'sh-07'), earned('m-a', '2026-11-23T23:30:00Z', 40, 'sh-07')]);
    await append('m-b', [earned('m-b', '2026-11-23T11:00:00+08:00', 100, 'bj-01'), earned('m-b', '2026-11-23T12:00:00+08:00', 10, undefined, 'check-in')]);
    await append('m-c', [earned('m-c', '2026-11-23T12:00:00+08:00', 300, 'bj-01')]);
    await append('m-a', [
      {
        type: 'points.redeemed',
        memberId: 'm-a',
        occurredAt: '2026-11-24T10:00:00+08:00',
        data: { points: 50, redemptionId: 'r-1', storeId: 'sh-07', rewardId: 'tea', fromLots: [] },
      } as unknown as NewLedgerEvent,
      { type: 'points.expired', memberId: 'm-a', occurredAt: '2026-11-24T11:00:00+08:00', data: { lotId: 'l-x', points: 30 } } as NewLedgerEvent,
      {
        type: 'tier.changed',
        memberId: 'm-a',
        occurredAt: '2026-11-24T11:00:00+08:00',
        data: { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'upgrade' },
      } as NewLedgerEvent,
    ]);
    await caughtUp();
  }, 120_000);

  afterAll(async () => {
    await ledger?.stop();
  });

  const range = 'from=2026-11-23&to=2026-11-24';

  it('sums points per business day in Asia/Shanghai, per store and reason', async () => {
    const { status, body } = await get(`/analytics/daily?${range}&groupBy=store`);
    expect(status).toBe(200);
    const row = (day: string, storeId: string) => body.days.find((d: any) => d.day === day && d.storeId === storeId);
    expect(row('2026-11-23', 'sh-07')).toMatchObject({ earned: 100 });
    expect(row('2026-11-24', 'sh-07')).toMatchObject({ earned: 40, redeemed: 50 });
    expect(row('2026-11-23', 'bj-01')).toMatchObject({ earned: 400 });
    expect(row('2026-11-24', '')).toMatchObject({ expired: 30 });
  });

  it('answers the overview: totals, breakage, liability at the programme rate, tier mix', async () => {
    const { body } = await get(`/analytics/overview?${range}`, READ);
    expect(body.totals).toMatchObject({ earned: 550, redeemed: 50, expired: 30 });
    expect(body.breakageRate).toBeCloseTo(30 / 80);
    // 550 earned - 50 redeemed - 30 expired = 470 points = 4.70 CNY at 100 points a yuan.
    expect(body.liability).toMatchObject({ points: 470, available: 470, cashValueMinor: 470, currency: 'CNY', members: 3 });
    expect(body.tiers).toEqual(
      expect.arrayContaining([
        { tier: 'member', members: 2 },
        { tier: 'silver', members: 1 },
      ]),
    );
    expect(body.activeMembers.daily).toEqual([
      { day: '2026-11-23', members: 3 },
      { day: '2026-11-24', members: 1 },
    ]);
    expect(body.lag).toMatchObject({ positionsBehind: 0 });
  });

  it("ranks members by points earned, ties by member id, overall and per store, with a member's own rank", async () => {
    const day = await get('/leaderboards/day?key=2026-11-23');
    expect(day.body.entries).toEqual([
      { rank: 1, memberId: 'm-c', points: 300 },
      { rank: 2, memberId: 'm-b', points: 110 },
      { rank: 3, memberId: 'm-a', points: 100 },
    ]);
    const month = await get('/leaderboards/month?key=2026-11&storeId=bj-01');
    expect(month.body.entries.map((e: any) => e.memberId)).toEqual(['m-c', 'm-b']);
    expect((await get('/leaderboards/week/members/m-a?key=2026-W48')).body).toMatchObject({ rank: 2, points: 140, members: 3 });
    await append('m-d', [earned('m-d', '2026-11-23T09:00:00+08:00', 110, 'sh-07')]);
    await caughtUp();
    const tied = await get('/leaderboards/day?key=2026-11-23');
    expect(tied.body.entries.slice(1, 3)).toEqual([
      { rank: 2, memberId: 'm-b', points: 110 },
      { rank: 3, memberId: 'm-d', points: 110 },
    ]);
    expect((await get('/leaderboards/day/members/m-d?key=2026-11-23')).body).toMatchObject({ rank: 3 });
  });

  it('shows a store token its own store only', async () => {
    const own = await get(`/analytics/overview?${range}`, SH);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ storeId: 'sh-07', liability: null, tiers: null });
    expect(own.body.totals.earned).toBe(250);
    expect((await get(`/analytics/overview?${range}&storeId=bj-01`, SH)).status).toBe(403);
    expect((await get('/leaderboards/month?key=2026-11&storeId=bj-01', SH)).status).toBe(403);
    const board = await get('/leaderboards/month?key=2026-11', SH);
    expect(board.body).toMatchObject({ storeId: 'sh-07' });
    expect(board.body.entries.map((e: any) => e.memberId)).toEqual(['m-a', 'm-d']);
    expect((await get('/analytics/stores?' + range, SH)).body.stores.map((s: any) => s.storeId)).toEqual(['sh-07']);
    expect((await get('/analytics/tiers', SH)).status).toBe(403);
    expect((await fetch(`${url}/ops/analytics/rebuild`, { method: 'POST', headers: { Authorization: `Bearer ${READ}` } })).status).toBe(403);
  });

  it.each([
    ['/analytics/daily?from=2026-13-01', 'from'],
    ['/analytics/daily?from=2026-02-30&to=2026-03-01', 'from'],
    ['/analytics/daily?from=2026-11-24&to=2026-11-23', 'from'],
    ['/analytics/daily?from=2020-01-01&to=2026-11-23', 'from'],
    ['/analytics/daily?groupBy=colour', 'groupBy'],
    ['/leaderboards/year', 'period'],
    ['/leaderboards/week?key=2026-11', 'key'],
    ['/leaderboards/campaign', 'key'],
    ['/leaderboards/day?limit=0', 'limit'],
  ])('refuses %s with 400 naming %s', async (path, field) => {
    const { status, body } = await get(path);
    expect({ status, error: body.error, fields: body.fields.map((f: any) => f.field) }).toEqual({ status: 400, error: 'invalid_request', fields: [field] });
  });

  it('applies a redelivered event once, and a rebuild from the log gives the same aggregates', async () => {
    const snapshot = async () => ({
      daily: (await get(`/analytics/daily?${range}&groupBy=reason`)).body,
      overview: { ...(await get(`/analytics/overview?${range}`)).body, lag: undefined },
      board: (await get('/leaderboards/month?key=2026-11&limit=50')).body,
    });
    const before = await snapshot();
    const rows = await app.get(DataSource).query(`SELECT e.*, NULL::bytea AS prev_hash FROM ledger_events e ORDER BY position`);
    const events: LedgerEventMessage[] = rows.map(toLedgerEvent);
    expect(await app.get(AnalyticsReadModel).apply(events)).toBe(0);
    expect(await snapshot()).toEqual(before);
    const rebuilt = await fetch(`${url}/ops/analytics/rebuild`, { method: 'POST', headers: { Authorization: `Bearer ${OPS}` } });
    expect(rebuilt.status).toBe(200);
    expect(await rebuilt.json()).toMatchObject({ eventsApplied: events.length });
    expect(await snapshot()).toEqual(before);
  });

  it('dead-letters a ledger message it cannot read, with its reason, and goes on applying', async () => {
    const kafka = new Kafka({ clientId: 'analytics-test', brokers: testKafkaBrokers(), logLevel: logLevel.ERROR });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${namespace}loyalty.ledger.v1`,
      messages: [
        { key: 'm-x', value: '{not json' },
        { key: 'm-x', value: JSON.stringify({ type: 'points.earned', memberId: 'm-x', version: 'one', data: {} }) },
      ],
    });
    await producer.disconnect();
    const letters = await eventually(
      async () => {
        const { body } = await get('/ops/dead-letters');
        // This test's database: the ledger app's analytics consumer is the only one that dead-letters into it.
        const reasons = body.deadLetters.map((d: any) => `${d.sourceTopic} ${d.reason}`);
        return reasons.length === 2 ? reasons : undefined;
      },
      60_000,
      'both unreadable ledger messages dead-lettered',
    );
    expect(letters.sort()).toEqual(['loyalty.ledger.v1 invalid_json', 'loyalty.ledger.v1 validation_failed']);
    await append('m-e', [earned('m-e', '2026-11-24T09:00:00+08:00', 7, 'sh-07')]);
    await caughtUp();
    expect((await get('/leaderboards/day/members/m-e?key=2026-11-24')).body).toMatchObject({ points: 7 });
  });

  it('lists the endpoints in OpenAPI', async () => {
    const document = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/analytics/overview',
        '/analytics/daily',
        '/analytics/stores',
        '/leaderboards/{period}',
        '/leaderboards/{period}/members/{memberId}',
      ]),
    );
  });
});
