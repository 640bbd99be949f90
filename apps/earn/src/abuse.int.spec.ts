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

  const publish = (topic: string, key: string, value: object) => producer.send({ topic: `${namespace}${topic}`, messages: [{ key, value: JSON.stringify(value) }] });

  const purchase = (i: number) => ({
    eventId: `pos-ab-${i}`,
    type: 'purchase.completed',
    occurredAt: new Date().toISOString(),
    memberId: 'm-ab-1',
    storeId: 'sh-07',
    channel: 'store',
    orderId: `o-ab-${i}`,
    amountMinor: 10_000,
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
        evidence: expect.objectContaining({ input: 'purchase', window: 'hour', count: 4, max: 3, eventId: 'pos-ab-3' }),
      }),
    ]);
    const metrics = await (await fetch(`${urls.earn}/metrics`)).text();
    expect(metrics).toMatch(/tally_abuse_flags_total\{rule="burst-purchases"[^}]*\} 1/);

    const redemption = { redemptionId: 'r-ab-1', memberId: 'm-ab-1', points: 100, storeId: 'sh-07' };
    expect(await call('redeem', 'POST', '/redemptions', redemption)).toMatchObject({ status: 422, body: { error: 'member_flagged', flagIds: [flags[0].flagId] } });
    expect((await call('redeem', 'POST', '/transfers', { transferId: 't-ab-1', fromMemberId: 'm-ab-1', toMemberId: 'm-ab-9', points: 10 })).body.error).toBe('member_flagged');

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
      await publish(Topics.referrals.name, 'm-ab-2', { eventId: `ref-ab-${i}`, type: 'referral.completed', occurredAt: new Date().toISOString(), referrerId: 'm-ab-2', refereeId: `m-ab-friend-${i}` });
    }
    await eventually(async () => ((await balance('m-ab-2')).available === 600 ? true : undefined), 60_000, 'three referrals earned');
    const flags = (await call('ledger', 'GET', '/ops/flags?memberId=m-ab-2')).body.flags;
    expect(flags).toEqual([expect.objectContaining({ ruleId: 'many-referrals', action: 'flag', evidence: expect.objectContaining({ count: 3, max: 2 }) })]);
    expect((await call('redeem', 'POST', '/redemptions', { redemptionId: 'r-ab-2', memberId: 'm-ab-2', points: 100, storeId: 'sh-07' })).status).toBe(201);

    const dataSource = apps.ledger.get(DataSource);
    expect((await auditLedger(dataSource)).ok).toBe(true);
    expect((await new LedgerReplay(dataSource).run({ swap: false })).identical).toBe(true);
  });
});
