import { INestApplication } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { migrateLedger } from '@tally/ledger';
import { ConsumerConfig, createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, eventually, serviceTestEnv, testKafkaBrokers, testNamespace } from '@tally/testing';
import { Kafka, Producer, logLevel } from 'kafkajs';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test boots the real ledger app beside earn
import { AppModule as LedgerAppModule } from '../../ledger/src/app.module';
import { AppModule as EarnAppModule } from './app.module';
import { EarnConfig } from './earn.config';
import { SAMPLE_INPUTS } from '@tally/contracts/testing';

const TOKEN = 'e2e-ops-token';

describe('walking skeleton: purchase on Kafka -> earn -> ledger -> balance API', () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  let ledger: INestApplication;
  let earn: INestApplication;
  let producer: Producer;
  let ledgerUrl: string;

  const env = () => serviceTestEnv(db.url, namespace, `${TOKEN}=ops`);

  const publish = (topic: string, key: string, value: string, headers?: Record<string, string | string[]>) =>
    producer.send({ topic: `${namespace}${topic}`, messages: [{ key, value, headers }] });

  const get = async (path: string) => {
    const res = await fetch(`${ledgerUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2e', migrateLedger);
    ledger = (await createServiceApp({ service: 'ledger', defaultPort: 0, config: ConsumerConfig, module: (c) => LedgerAppModule.forRoot(c), env: env() })).app;
    await ledger.listen(0);
    ledgerUrl = listeningUrl(ledger);
    earn = (await createServiceApp({ service: 'earn', defaultPort: 0, config: EarnConfig, module: (c) => EarnAppModule.forRoot(c), env: env() })).app;
    await earn.listen(0);
    producer = new Kafka({ clientId: 'e2e', brokers: testKafkaBrokers(), logLevel: logLevel.ERROR }).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await earn?.close();
    await ledger?.close();
    await db?.drop();
  });

  it('earns points for a purchase exactly once (resent, or as a new event of the same order), and dead-letters a malformed message without stalling', async () => {
    const purchase = JSON.stringify({ ...SAMPLE_INPUTS.purchase, lines: undefined });
    const sentAt = Date.now();
    await publish(Topics.purchases.name, 'm-1001', '{"not json', { traceparent: '00-4bf92f3577b34da6-00f067aa0ba902b7-01', tag: ['pos', 'branch-7'] });
    await publish(Topics.purchases.name, 'm-1001', purchase);
    await publish(Topics.purchases.name, 'm-1001', purchase);
    await publish(
      Topics.checkIns.name,
      'm-1001',
      JSON.stringify({
        eventId: 'app-ci-99',
        type: 'member.checked-in',
        occurredAt: '2026-11-23T08:01:00+08:00',
        memberId: 'm-1001',
        storeId: 'sh-07',
      }),
    );

    const balance = await eventually(async () => {
      const { status, body } = await get('/members/m-1001/balance');
      return status === 200 && body.version === 2 ? body : undefined;
    });
    expect(balance).toMatchObject({ memberId: 'm-1001', available: 139, pending: 0, held: 0, lifetimeEarned: 139, tier: 'member' });

    const letters = await eventually(async () => {
      const { body } = await get('/ops/dead-letters');
      return body.deadLetters?.length > 0 ? body.deadLetters : undefined;
    });
    expect(letters[0]).toMatchObject({ sourceTopic: Topics.purchases.name, reason: 'invalid_json' });
    expect(Buffer.from(letters[0].letter.valueBase64, 'base64').toString()).toBe('{"not json');
    // The message's key, headers and broker timestamp travel with its letter.
    expect(letters[0].letter.source.key).toBe('m-1001');
    expect(Buffer.from(letters[0].letter.headers.traceparent, 'base64').toString()).toBe('00-4bf92f3577b34da6-00f067aa0ba902b7-01');
    // A header sent twice keeps both values.
    expect(letters[0].letter.repeatedHeaders.tag.map((v: string) => Buffer.from(v, 'base64').toString())).toEqual(['pos', 'branch-7']);
    expect(Math.abs(Date.parse(letters[0].letter.source.timestamp) - sentAt)).toBeLessThan(60_000);

    const { body: events } = await get('/members/m-1001/events');
    const { body: lots } = await get('/members/m-1001/lots');
    expect(lots.map((l: { remaining: number }) => l.remaining).sort((a: number, b: number) => a - b)).toEqual([10, 129]);
    expect(lots[0].expiresAt <= lots[1].expiresAt).toBe(true);

    // Two topics: their relative order is not guaranteed, only that each input earned once.
    expect(events.events.map((e: { type: string; causationId: string }) => [e.type, e.causationId]).sort()).toEqual([
      ['points.earned', 'app-ci-99'],
      ['points.earned', 'pos-7-000123'],
    ]);

    // The same order again under a new event id: earn decides it first as a new order (nothing is
    // read for it), its append finds the order stored, and the decision under locks refuses it.
    await publish(Topics.purchases.name, 'm-1001', purchase.replace('pos-7-000123', 'pos-7-000124'));
    const refusal = await eventually(async () => {
      const { body } = await get('/ops/rejections?memberId=m-1001');
      return body.rejections?.length > 0 ? body.rejections[0] : undefined;
    });
    expect(refusal).toMatchObject({ causationId: 'pos-7-000124', code: 'DUPLICATE_ORDER' });
    expect((await get('/members/m-1001/balance')).body).toMatchObject({ available: 139, version: 2 });
  });

  it('refuses a refund whose purchase was refused before it, and lists one whose purchase has not come at GET /ops/parked', async () => {
    const refund = (eventId: string, orderId: string) =>
      JSON.stringify({
        eventId,
        type: 'purchase.refunded',
        occurredAt: '2026-11-24T09:00:00+08:00',
        memberId: 'm-2002',
        storeId: 'sh-07',
        orderId,
        refundId: `r-${eventId}`,
        amountMinor: 500,
        currency: 'CNY',
      });
    // given a purchase refused for its currency
    await publish(
      Topics.purchases.name,
      'm-2002',
      JSON.stringify({
        eventId: 'pos-usd-1',
        type: 'purchase.completed',
        occurredAt: '2026-11-23T10:15:00+08:00',
        memberId: 'm-2002',
        storeId: 'sh-07',
        channel: 'online',
        orderId: 'o-usd',
        amountMinor: 5000,
        currency: 'USD',
      }),
    );
    await eventually(async () => ((await get('/ops/rejections?memberId=m-2002')).body.rejections?.length === 1 ? true : undefined));
    // when its refund comes, and a refund of an order never seen
    await publish(Topics.purchases.name, 'm-2002', refund('rf-usd-1', 'o-usd'));
    await publish(Topics.purchases.name, 'm-2002', refund('rf-unseen-1', 'o-unseen'));

    // then the first is refused at once instead of waiting for a purchase that will not earn
    const rejections = await eventually(async () => {
      const { body } = await get('/ops/rejections?memberId=m-2002');
      return body.rejections?.length === 2 ? body.rejections : undefined;
    });
    expect(rejections[1]).toMatchObject({ causationId: 'rf-usd-1', code: 'PURCHASE_EARNED_NOTHING' });
    expect(rejections[1].message).toContain('UNSUPPORTED_CURRENCY');
    // and the second waits where ops can see it
    const parked = await eventually(async () => {
      const { body } = await get('/ops/parked?memberId=m-2002');
      return body.total === 1 ? body : undefined;
    });
    expect(parked.parked[0]).toMatchObject({ causationId: 'rf-unseen-1', memberId: 'm-2002', waitKey: 'order:o-unseen', input: { orderId: 'o-unseen' } });
    expect(Date.parse(parked.parked[0].parkedAt)).not.toBeNaN();
    expect((await get('/ops/parked?limit=0')).status).toBe(400);
  });

  it('lists a refused referral for the referee as well as the referrer', async () => {
    const referral = (eventId: string, referrerId: string) =>
      JSON.stringify({ eventId, type: 'referral.completed', occurredAt: '2026-11-23T12:00:00+08:00', referrerId, refereeId: 'm-3002' });
    await publish(Topics.referrals.name, 'm-3001', referral('ref-1', 'm-3001'));
    await publish(Topics.referrals.name, 'm-3003', referral('ref-2', 'm-3003'));
    const forReferee = await eventually(async () => {
      const { body } = await get('/ops/rejections?memberId=m-3002');
      return body.rejections?.length > 0 ? body.rejections : undefined;
    });
    expect(forReferee).toEqual([expect.objectContaining({ causationId: 'ref-2', memberId: 'm-3003', code: 'REFEREE_ALREADY_REFERRED' })]);
    expect((await get('/ops/rejections?memberId=m-3003')).body.rejections).toEqual(forReferee);
    expect((await get('/ops/rejections?memberId=m-3001')).body.rejections).toEqual([]);
  });
});
