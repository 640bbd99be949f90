import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { LedgerReplay, auditLedger, migrateLedger } from '@tally/ledger';
import { ConsumerConfig, createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, eventually, testKafkaBrokers, testNamespace } from '@tally/testing';
import { Kafka, Producer, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the abuse flow crosses earn, the ledger's ops API and redeem
import { AppModule as LedgerAppModule } from '../../ledger/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a blocked member is refused by the real redeem service
import { AppModule as RedeemAppModule } from '../../redeem/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the redeem service's own configuration
import { RedeemConfig } from '../../redeem/src/shared/redeem.config';
import { AppModule as EarnAppModule } from './app.module';
import { EarnConfig } from './earn.config';

const TOKEN = 'abuse-ops';
const PROGRAM = {
  abuse: {
    rules: [
      { id: 'burst-purchases', input: 'purchase', window: 'hour', max: 3, action: 'block-spending' },
      { id: 'many-referrals', input: 'referral', window: 'day', max: 2, action: 'flag' },
      { id: 'check-in-burst', input: 'check-in', window: 'day', max: 1, action: 'hold-earnings' },
      { id: 'spent-then-refunded', input: 'refund-after-redemption', minDebt: 50, action: 'block-spending' },
      // Above what the other tests grant through sh-07 in their hour.
      { id: 'store-burst', input: 'store-points', max: 1000 },
    ],
  },
};

describe('abuse rules in the earn batch: flag, block, clear', () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  const apps: Record<string, INestApplication> = {};
  const urls: Record<string, string> = {};
  let producer: Producer;

  beforeAll(async () => {
    db = await createTestDatabase('abuse', migrateLedger);
    const programFile = join(mkdtempSync(join(tmpdir(), 'tally-ab-')), 'program.json');
    writeFileSync(programFile, JSON.stringify(PROGRAM));
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_API_TOKENS: `${TOKEN}=ops`,
      TALLY_TOPIC_NAMESPACE: namespace,
      TALLY_PROGRAM: programFile,
      TALLY_HOLD_EXPIRY_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
      PORT: '0',
    };
    apps.ledger = (await createServiceApp({ service: 'ledger', defaultPort: 0, config: ConsumerConfig, module: (c) => LedgerAppModule.forRoot(c), env })).app;
    apps.earn = (await createServiceApp({ service: 'earn', defaultPort: 0, config: EarnConfig, module: (c) => EarnAppModule.forRoot(c), env })).app;
    apps.redeem = (await createServiceApp({ service: 'redeem', defaultPort: 0, config: RedeemConfig, module: (c) => RedeemAppModule.forRoot(c), env })).app;
    for (const [name, app] of Object.entries(apps)) {
      await app.listen(0, '127.0.0.1');
      urls[name] = listeningUrl(app);
    }
    producer = new Kafka({ clientId: 'abuse', brokers: testKafkaBrokers(), logLevel: logLevel.ERROR }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    for (const app of Object.values(apps)) await app.close();
    await db?.drop();
  });

  const call = async (service: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${urls[service]}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  const publish = (topic: string, key: string, value: object) =>
    producer.send({ topic: `${namespace}${topic}`, messages: [{ key, value: JSON.stringify(value) }] });

  const purchase = (i: number, memberId = 'm-ab-1', storeId = 'sh-07', amountMinor = 10_000) => ({
    eventId: `pos-ab-${memberId}-${i}`,
    type: 'purchase.completed',
    occurredAt: new Date().toISOString(),
    memberId,
    storeId,
    channel: 'store',
    orderId: `o-ab-${memberId}-${i}`,
    amountMinor,
    currency: 'CNY',
  });

  const balance = async (memberId: string) => (await call('ledger', 'GET', `/members/${memberId}/balance`)).body;

  it('flags a burst of purchases with its evidence, blocks spending until ops clear it, and counts it per rule', async () => {
    for (let i = 0; i < 5; i++) await publish(Topics.purchases.name, 'm-ab-1', purchase(i));
    await eventually(async () => ((await balance('m-ab-1')).available === 500 ? true : undefined), 60_000, 'five purchases earned');

    const flags = (await call('ledger', 'GET', '/ops/flags')).body.flags;
    expect(flags).toEqual([
      expect.objectContaining({
        memberId: 'm-ab-1',
        ruleId: 'burst-purchases',
        action: 'block-spending',
        evidence: expect.objectContaining({ input: 'purchase', window: 'hour', count: 4, max: 3, eventId: 'pos-ab-m-ab-1-3' }),
      }),
    ]);
    const metrics = await (await fetch(`${urls.earn}/metrics`)).text();
    expect(metrics).toMatch(/tally_abuse_flags_total\{rule="burst-purchases"[^}]*\} 1/);

    const redemption = { redemptionId: 'r-ab-1', memberId: 'm-ab-1', points: 100, storeId: 'sh-07' };
    expect(await call('redeem', 'POST', '/redemptions', redemption)).toMatchObject({
      status: 422,
      body: { error: 'member_flagged', flagIds: [flags[0].flagId] },
    });
    expect((await call('redeem', 'POST', '/transfers', { transferId: 't-ab-1', fromMemberId: 'm-ab-1', toMemberId: 'm-ab-9', points: 10 })).body.error).toBe(
      'member_flagged',
    );

    const path = `/ops/members/m-ab-1/flags/${flags[0].flagId}/clear`;
    expect(await call('ledger', 'POST', path, { actor: 'ana', note: 'a family buying for a party' })).toMatchObject({
      status: 200,
      body: { flagId: flags[0].flagId, actor: 'ops:ana' },
    });
    expect((await call('ledger', 'POST', '/ops/members/m-ab-1/flags/nope/clear', {})).status).toBe(404);
    expect((await call('ledger', 'GET', '/ops/flags')).body.flags).toEqual([]);
    expect((await call('ledger', 'GET', '/ops/flags?state=all')).body.flags).toEqual([
      expect.objectContaining({ flagId: flags[0].flagId, cleared: expect.objectContaining({ actor: 'ops:ana', note: 'a family buying for a party' }) }),
    ]);
    // The refusal rested on the flag: the same redemption id now goes through.
    expect(await call('redeem', 'POST', '/redemptions', redemption)).toMatchObject({ status: 201, body: { points: 100 } });
  });

  it('flags many referrals from one referrer without blocking it', async () => {
    for (let i = 0; i < 3; i++) {
      await publish(Topics.referrals.name, 'm-ab-2', {
        eventId: `ref-ab-${i}`,
        type: 'referral.completed',
        occurredAt: new Date().toISOString(),
        referrerId: 'm-ab-2',
        refereeId: `m-ab-friend-${i}`,
      });
    }
    await eventually(async () => ((await balance('m-ab-2')).available === 600 ? true : undefined), 60_000, 'three referrals earned');
    const flags = (await call('ledger', 'GET', '/ops/flags?memberId=m-ab-2')).body.flags;
    expect(flags).toEqual([expect.objectContaining({ ruleId: 'many-referrals', action: 'flag', evidence: expect.objectContaining({ count: 3, max: 2 }) })]);
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-2', memberId: 'm-ab-2', points: 100, storeId: 'sh-07' })).status).toBe(201);
  });

  it('holds the earnings of a member a hold-earnings flag names as pending, and releases them when ops clear it', async () => {
    const checkIn = (i: number, occurredAt: string) => ({ eventId: `ci-ab-${i}`, type: 'member.checked-in', occurredAt, memberId: 'm-ab-3', storeId: 'sh-07' });
    // Two check-ins in one UTC day (what the rule counts) but on two business days (Asia/Shanghai, +8), so both earn.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await publish(Topics.checkIns.name, 'm-ab-3', checkIn(0, `${day}T15:30:00Z`));
    await publish(Topics.checkIns.name, 'm-ab-3', checkIn(1, `${day}T16:30:00Z`));
    await eventually(async () => ((await balance('m-ab-3')).pending === 10 ? true : undefined), 60_000, 'the second check-in held');
    expect(await balance('m-ab-3')).toMatchObject({ available: 10, pending: 10 });
    const [flag] = (await call('ledger', 'GET', '/ops/flags?memberId=m-ab-3')).body.flags;
    expect(flag).toMatchObject({ ruleId: 'check-in-burst', action: 'hold-earnings', evidence: { input: 'check-in', window: 'day', count: 2, max: 1 } });
    // A purchase while flagged is held too; the member may still spend what was available before.
    await publish(Topics.purchases.name, 'm-ab-3', purchase(0, 'm-ab-3'));
    await eventually(async () => ((await balance('m-ab-3')).pending === 110 ? true : undefined), 60_000, 'the purchase held');
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-3', memberId: 'm-ab-3', points: 10, storeId: 'sh-07' })).status).toBe(201);
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-4', memberId: 'm-ab-3', points: 1, storeId: 'sh-07' })).body.error).toBe(
      'insufficient_points',
    );

    expect((await call('ledger', 'POST', `/ops/members/m-ab-3/flags/${flag.flagId}/clear`, { note: 'two branches, one member' })).status).toBe(200);
    expect(await balance('m-ab-3')).toMatchObject({ available: 110, pending: 0 });
    const metrics = await (await fetch(`${urls.earn}/metrics`)).text();
    expect(metrics).toMatch(/tally_abuse_flags_total\{rule="check-in-burst"[^}]*\} 1/);
  });

  it('flags a member whose refund claws back points already redeemed, and blocks spending until cleared', async () => {
    await publish(Topics.purchases.name, 'm-ab-4', purchase(0, 'm-ab-4'));
    await eventually(async () => ((await balance('m-ab-4')).available === 100 ? true : undefined), 60_000, 'the purchase earned');
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-5', memberId: 'm-ab-4', points: 80, storeId: 'sh-07' })).status).toBe(201);
    const refund = {
      eventId: 'rf-ab-0',
      type: 'purchase.refunded',
      occurredAt: new Date().toISOString(),
      memberId: 'm-ab-4',
      storeId: 'sh-07',
      orderId: 'o-ab-m-ab-4-0',
      refundId: 'rf-0',
      amountMinor: 10_000,
      currency: 'CNY',
    };
    await publish(Topics.purchases.name, 'm-ab-4', refund);
    await eventually(async () => ((await balance('m-ab-4')).available === -80 ? true : undefined), 60_000, 'the refund clawed back into debt');
    const [flag] = (await call('ledger', 'GET', '/ops/flags?memberId=m-ab-4')).body.flags;
    expect(flag).toMatchObject({
      ruleId: 'spent-then-refunded',
      action: 'block-spending',
      evidence: { input: 'refund-after-redemption', orderId: 'o-ab-m-ab-4-0', refundId: 'rf-0', clawedBack: 100, debt: 80, spent: 80, eventId: 'rf-ab-0' },
    });
    await publish(Topics.purchases.name, 'm-ab-4', purchase(1, 'm-ab-4'));
    await eventually(async () => ((await balance('m-ab-4')).available === 20 ? true : undefined), 60_000, 'the next purchase repaid the debt');
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-6', memberId: 'm-ab-4', points: 10, storeId: 'sh-07' })).body.error).toBe(
      'member_flagged',
    );
    expect((await call('ledger', 'POST', `/ops/members/m-ab-4/flags/${flag.flagId}/clear`, {})).status).toBe(200);
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-6', memberId: 'm-ab-4', points: 10, storeId: 'sh-07' })).status).toBe(201);
  });

  it('flags a store that grants more points in an hour than the rule allows, once, with the input that crossed it, until ops clear it', async () => {
    await publish(Topics.purchases.name, 'm-ab-5', purchase(0, 'm-ab-5', 'sh-99', 60_000));
    await eventually(async () => ((await balance('m-ab-5')).available === 600 ? true : undefined), 60_000, 'the first purchase earned');
    expect((await call('ledger', 'GET', '/ops/flags?storeId=sh-99')).body.flags).toEqual([]);
    await publish(Topics.purchases.name, 'm-ab-6', purchase(0, 'm-ab-6', 'sh-99', 60_000));
    await publish(Topics.purchases.name, 'm-ab-7', purchase(0, 'm-ab-7', 'sh-99', 60_000));
    await eventually(
      async () => ((await balance('m-ab-7')).available === 600 && (await balance('m-ab-6')).available === 600 ? true : undefined),
      60_000,
      'both earned',
    );
    const flags = await eventually(
      async () => {
        const listed = (await call('ledger', 'GET', '/ops/flags?storeId=sh-99')).body.flags;
        return listed.length > 0 ? listed : undefined;
      },
      30_000,
      'the store flagged',
    );
    expect(flags).toEqual([
      {
        storeId: 'sh-99',
        flagId: expect.any(String),
        ruleId: 'store-burst',
        action: 'flag',
        evidence: {
          input: 'store-points',
          window: 'hour',
          period: expect.any(String),
          points: 1200,
          max: 1000,
          eventId: expect.stringMatching(/^pos-ab-m-ab-[67]-0$/),
        },
        flaggedAt: expect.any(String),
      },
    ]);
    expect((await call('ledger', 'GET', '/ops/flags')).body.flags).toEqual(expect.arrayContaining([expect.objectContaining({ storeId: 'sh-99' })]));
    // A store flag judges the store: its members spend as before.
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-7', memberId: 'm-ab-6', points: 100, storeId: 'sh-99' })).status).toBe(201);
    const metrics = await (await fetch(`${urls.earn}/metrics`)).text();
    expect(metrics).toMatch(/tally_abuse_flags_total\{rule="store-burst"[^}]*\} 1/);

    const path = `/ops/stores/sh-99/flags/${flags[0].flagId}/clear`;
    expect(await call('ledger', 'POST', path, { actor: 'li', note: 'a company order' })).toMatchObject({
      status: 200,
      body: { storeId: 'sh-99', flagId: flags[0].flagId, actor: 'ops:li' },
    });
    expect((await call('ledger', 'POST', path, {})).status).toBe(404);
    expect((await call('ledger', 'GET', '/ops/flags?storeId=sh-99')).body.flags).toEqual([]);
    expect((await call('ledger', 'GET', '/ops/flags?storeId=sh-99&state=all')).body.flags).toEqual([
      expect.objectContaining({ cleared: expect.objectContaining({ actor: 'ops:li', note: 'a company order' }) }),
    ]);

    const dataSource = apps.ledger.get(DataSource);
    expect((await auditLedger(dataSource)).ok).toBe(true);
    expect((await new LedgerReplay(dataSource).run({ swap: false })).identical).toBe(true);
  });
});
