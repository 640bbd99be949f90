import { INestApplication } from '@nestjs/common';
import { testKafkaBrokers } from '@tally/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the SDK is tested against the real earn service
import { EarnHarness, eventually } from '../../../apps/earn/src/testing/earn-harness';
import { TallyProducer, TallyValidationError, eventId, memberCheckedIn, occurredAt, purchaseCompleted, referralCompleted } from './index';

describe('producer SDK against the running stack', () => {
  const harness = new EarnHarness();
  let producer: TallyProducer;
  let earn: INestApplication;

  beforeAll(async () => {
    await harness.start('sdk');
    earn = await harness.startEarn();
    producer = new TallyProducer({ brokers: testKafkaBrokers(), clientId: 'pos-7', topicPrefix: harness.namespace });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await harness.stop();
  });

  it('publishes built inputs that earn applies once, and sends nothing from a call with an invalid one', async () => {
    expect(earn).toBeDefined();
    const at = occurredAt(new Date(Date.now() - 60_000), '+08:00');
    const purchase = purchaseCompleted({
      eventId: eventId('pos-7', 1),
      occurredAt: at,
      memberId: 'm-sdk-1',
      storeId: 'sh-07',
      channel: 'store',
      orderId: 'o-sdk-1',
      amountMinor: 12_990,
      currency: 'CNY',
    });
    const checkIn = memberCheckedIn({ eventId: eventId('app', 'ci-1'), occurredAt: at, memberId: 'm-sdk-1' });
    const referral = referralCompleted({ eventId: eventId('app', 'ref-1'), occurredAt: at, referrerId: 'm-sdk-1', refereeId: 'm-sdk-2' });
    // when the three are sent, and the purchase again (a producer's retry)
    await producer.send(purchase, checkIn, referral);
    await producer.send(purchase);
    // and a call with an invalid input besides a valid one
    const invalid = { ...checkIn, eventId: 'app-ci-2', occurredAt: 'yesterday' };
    await expect(producer.send(memberCheckedIn({ ...checkIn, eventId: 'app-ci-3', memberId: 'm-sdk-3' }), invalid)).rejects.toThrow(TallyValidationError);
    // then m-sdk-1 earns 129 + 10 + 200 once, the referee 100, and m-sdk-3 nothing
    await eventually(
      async () => {
        const balances = await harness.balances();
        return balances['m-sdk-1'] === 339 && balances['m-sdk-2'] === 100 ? balances : undefined;
      },
      60_000,
      'SDK inputs applied',
    );
    await eventually(() => harness.caughtUp('tally-earn').then((ok) => ok || undefined), 30_000, 'caught up');
    expect(await harness.count(`SELECT count(*) FROM ledger_events WHERE member_id = 'm-sdk-1'`)).toBe(3);
    expect((await harness.balances())['m-sdk-3']).toBeUndefined();
    expect(await harness.count('SELECT count(*) FROM dead_letters')).toBe(0);
  });
});
