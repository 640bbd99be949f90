import { Topics } from '@tally/contracts';
import { EarnHarness, eventually, purchase } from './testing/earn-harness';

const MEMBERS = 20;
const memberOf = (i: number) => `m-${i % MEMBERS}`;
const expectedBalances = (purchases: number, points = 100) => {
  const expected: Record<string, number> = {};
  for (let i = 0; i < purchases; i++) expected[memberOf(i)] = (expected[memberOf(i)] ?? 0) + points;
  return expected;
};

const refund = (eventId: string, memberId: string, orderId: string, amountMinor: number) => ({
  eventId,
  type: 'purchase.refunded',
  occurredAt: '2026-11-21T10:00:00+08:00',
  memberId,
  storeId: 'sh-07',
  orderId,
  refundId: `r-${eventId}`,
  amountMinor,
  currency: 'CNY',
});

describe('earn delivery guarantees through a real broker', () => {
  describe('duplicates and re-consumption', () => {
    const h = new EarnHarness();
    beforeAll(() => h.start('dup'));
    afterAll(() => h.stop());

    it('appends each input once, even sent twice, and a new group re-reading every topic from offset 0 changes nothing', async () => {
      const messages = Array.from({ length: 200 }, (_, i) => ({ key: memberOf(i), value: purchase(i, memberOf(i)) }));
      await h.publish(Topics.purchases.name, [...messages, ...messages.slice(0, 50)]);
      await h.publish(Topics.checkIns.name, [
        { key: 'm-0', value: { eventId: 'ci-1', type: 'member.checked-in', occurredAt: '2026-11-20T08:00:00+08:00', memberId: 'm-0' } },
      ]);
      await h.startEarn();
      await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 90_000, 'first group caught up');
      const expected = expectedBalances(200);
      expected['m-0'] += 10;
      expect(await h.balances()).toEqual(expected);
      expect(await h.count('SELECT count(*) FROM ledger_events')).toBe(201);

      await h.startEarn('tally-earn-replay');
      await eventually(async () => ((await h.caughtUp('tally-earn-replay')) ? true : undefined), 90_000, 'second group caught up');
      expect(await h.balances()).toEqual(expected);
      expect(await h.count('SELECT count(*) FROM ledger_events')).toBe(201);
    });
  });

  describe('malformed messages interleaved with valid ones', () => {
    const h = new EarnHarness();
    beforeAll(() => h.start('bad'));
    afterAll(() => h.stop());

    it('applies every valid message and dead-letters every bad one with its reason, without stalling', async () => {
      const bad = [
        ['not json', '{"eventId": '],
        ['unknown type', { ...purchase(9001, 'm-1'), type: 'purchase.teleported' }],
        ['negative amount', { ...purchase(9002, 'm-1'), amountMinor: -5 }],
        ['fractional amount', { ...purchase(9003, 'm-1'), amountMinor: 10.5 }],
        ['far future', { ...purchase(9004, 'm-1'), occurredAt: '2099-01-01T00:00:00+08:00' }],
        ['oversized', JSON.stringify({ ...purchase(9005, 'm-1'), padding: 'x'.repeat(70_000) })],
        ['bad id', { ...purchase(9006, 'm 1'), memberId: 'm 1' }],
      ] as const;
      const messages: { key: string; value: string | object }[] = [];
      for (let i = 0; i < 140; i++) {
        messages.push({ key: memberOf(i), value: purchase(i, memberOf(i)) });
        if (i % 20 === 0) messages.push({ key: 'm-1', value: bad[(i / 20) % bad.length][1] });
      }
      await h.publish(Topics.purchases.name, messages);
      await h.startEarn();
      await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 90_000, 'caught up');
      expect(await h.balances()).toEqual(expectedBalances(140));
      const { rows } = await h.sql.query('SELECT reason, count(*)::int AS n FROM dead_letters GROUP BY reason ORDER BY reason');
      expect(rows).toEqual([
        { reason: 'invalid_json', n: 1 },
        { reason: 'occurred_in_future', n: 1 },
        { reason: 'payload_too_large', n: 1 },
        { reason: 'unknown_type', n: 1 },
        { reason: 'validation_failed', n: 3 },
      ]);
    });
  });

  describe('two instances in one group', () => {
    const h = new EarnHarness();
    beforeAll(() => h.start('pair'));
    afterAll(() => h.stop());

    it('gives the same balances as one instance', async () => {
      await Promise.all([h.startEarn(), h.startEarn()]);
      await h.publish(
        Topics.purchases.name,
        Array.from({ length: 400 }, (_, i) => ({ key: memberOf(i), value: purchase(i, memberOf(i)) })),
      );
      await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 90_000, 'caught up');
      expect(await h.balances()).toEqual(expectedBalances(400));
      expect(await h.count('SELECT count(*) FROM ledger_events')).toBe(400);
    });
  });

  describe('a service killed with SIGKILL mid-stream', () => {
    const h = new EarnHarness();
    beforeAll(async () => {
      EarnHarness.build();
      await h.start('kill');
    });
    afterAll(() => h.stop());

    it('loses nothing and doubles nothing after a restart', async () => {
      const total = 30_000;
      await h.publish(
        Topics.purchases.name,
        Array.from({ length: total }, (_, i) => ({ key: memberOf(i), value: purchase(i, memberOf(i)) })),
      );
      const first = h.spawnEarn();
      await eventually(async () => ((await h.count('SELECT count(*) FROM ledger_events')) > 0 ? true : undefined), 90_000, 'first appends', 10);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const atKill = await h.count('SELECT count(*) FROM ledger_events');
      h.spawnEarn();
      await eventually(async () => ((await h.count('SELECT count(*) FROM ledger_events')) === total ? true : undefined), 240_000, 'all appended');
      await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 60_000, 'caught up');
      expect(atKill).toBeLessThan(total);
      expect(await h.count('SELECT count(*) FROM ledger_events')).toBe(total);
      expect(await h.balances()).toEqual(expectedBalances(total));
    });
  });
});

describe('refunds that arrive before their purchase', () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('refund'));
  afterAll(() => h.stop());

  it('wait for the purchase and are applied when it comes, or refused when it earned nothing', async () => {
    await h.startEarn();
    await h.publish(Topics.purchases.name, [
      { key: 'm-late', value: refund('rf-1', 'm-late', 'o-1', 5_000) },
      { key: 'm-tiny', value: refund('rf-2', 'm-tiny', 'o-9', 50) },
    ]);
    await eventually(async () => ((await h.count('SELECT count(*) FROM parked_inputs')) === 2 ? true : undefined), 60_000, 'refunds parked');
    await h.publish(Topics.purchases.name, [
      { key: 'm-late', value: { ...purchase(1, 'm-late'), orderId: 'o-1' } },
      { key: 'm-tiny', value: { ...purchase(9, 'm-tiny', 50), orderId: 'o-9' } },
    ]);
    await eventually(async () => ((await h.count('SELECT count(*) FROM parked_inputs')) === 0 ? true : undefined), 60_000, 'parked refunds settled');
    expect(await h.balances()).toEqual({ 'm-late': 50 });
    const { rows } = await h.sql.query('SELECT causation_id, code FROM rejections ORDER BY causation_id');
    expect(rows).toEqual([
      { causation_id: 'pos-9', code: 'NO_POINTS' },
      { causation_id: 'rf-2', code: 'PURCHASE_EARNED_NOTHING' },
    ]);
  });

  it('are applied when the purchase comes with a copy of itself under another event id', async () => {
    await h.publish(Topics.purchases.name, [{ key: 'm-copy', value: refund('rf-3', 'm-copy', 'o-3', 5_000) }]);
    await eventually(
      async () => ((await h.count(`SELECT count(*) FROM parked_inputs WHERE member_id = 'm-copy'`)) === 1 ? true : undefined),
      60_000,
      'refund parked',
    );
    // The order and its copy are published together, so one batch decides both.
    const order = { ...purchase(3, 'm-copy'), orderId: 'o-3' };
    await h.publish(Topics.purchases.name, [
      { key: 'm-copy', value: order },
      { key: 'm-copy', value: { ...order, eventId: 'pos-3-resent' } },
    ]);
    await eventually(
      async () => ((await h.count(`SELECT count(*) FROM parked_inputs WHERE member_id = 'm-copy'`)) === 0 ? true : undefined),
      60_000,
      'refund settled',
    );
    expect((await h.balances())['m-copy']).toBe(50);
    const { rows } = await h.sql.query(`SELECT causation_id, code FROM rejections WHERE member_id = 'm-copy'`);
    expect(rows).toEqual([{ causation_id: 'pos-3-resent', code: 'DUPLICATE_ORDER' }]);
  });
});

describe('a refund waiting for its purchase keeps its event id', () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('refund-reuse'));
  afterAll(() => h.stop());

  it('the same refund again changes nothing, another body under its id is dead-lettered', async () => {
    await h.startEarn();
    const parkedCount = () => h.count(`SELECT count(*) FROM parked_inputs WHERE member_id = 'm-reuse'`);
    const conflicts = () => h.count(`SELECT count(*) FROM dead_letters WHERE reason = 'idempotency_conflict'`);
    const waiting = refund('rf-4', 'm-reuse', 'o-4', 5_000);
    await h.publish(Topics.purchases.name, [{ key: 'm-reuse', value: waiting }]);
    await eventually(async () => ((await parkedCount()) === 1 ? true : undefined), 60_000, 'refund parked');
    await h.publish(Topics.purchases.name, [
      { key: 'm-reuse', value: waiting },
      { key: 'm-reuse', value: refund('rf-4', 'm-reuse', 'o-5', 2_000) },
      { key: 'm-reuse', value: { ...purchase(40, 'm-reuse'), eventId: 'rf-4', orderId: 'o-40' } },
    ]);
    await eventually(async () => ((await conflicts()) === 2 ? true : undefined), 60_000, 'reused ids dead-lettered');
    await h.publish(Topics.purchases.name, [{ key: 'm-reuse', value: { ...purchase(4, 'm-reuse'), orderId: 'o-4' } }]);
    await eventually(async () => ((await parkedCount()) === 0 ? true : undefined), 60_000, 'refund settled');
    // The purchase of o-4 earned 100 and its refund (half of it) clawed back 50; nothing else counted.
    expect((await h.balances())['m-reuse']).toBe(50);
    const { rows } = await h.sql.query(`SELECT message FROM dead_letters WHERE reason = 'idempotency_conflict' ORDER BY message`);
    expect(rows.map((r: { message: string }) => r.message)).toEqual([expect.stringContaining('rf-4'), expect.stringContaining('rf-4')]);
    expect(await conflicts()).toBe(2);
  });

  it('a redelivery in a batch behind a reuse of its id is a duplicate, not a reuse', async () => {
    const conflicts = () => h.count(`SELECT count(*) FROM dead_letters WHERE reason = 'idempotency_conflict' AND message LIKE '%pr-9 %'`);
    const original = { ...purchase(9, 'm-again'), eventId: 'pr-9' };
    await h.publish(Topics.purchases.name, [{ key: 'm-again', value: original }]);
    await eventually(async () => ((await h.balances())['m-again'] === 100 ? true : undefined), 60_000, 'purchase earned');
    await h.publish(Topics.purchases.name, [
      { key: 'm-again', value: { ...original, amountMinor: 20_000 } },
      { key: 'm-again', value: original },
      { key: 'm-again', value: { ...original, amountMinor: 30_000 } },
    ]);
    await eventually(async () => ((await conflicts()) >= 2 ? true : undefined), 60_000, 'reuses dead-lettered');
    const { rows } = await h.sql.query(`SELECT letter->>'valueBase64' AS value FROM dead_letters WHERE message LIKE '%pr-9 %'`);
    const amounts = rows.map((r: { value: string }) => JSON.parse(Buffer.from(r.value, 'base64').toString()).amountMinor).sort();
    expect(amounts).toEqual([20_000, 30_000]);
    expect((await h.balances())['m-again']).toBe(100);
  });

  it('two refunds under one id in one batch, both before their purchase: the first waits, the second is dead-lettered', async () => {
    await h.publish(Topics.purchases.name, [
      { key: 'm-twice', value: refund('rf-8', 'm-twice', 'o-8', 5_000) },
      { key: 'm-twice', value: refund('rf-8', 'm-twice', 'o-8', 2_000) },
    ]);
    await eventually(
      async () => ((await h.count(`SELECT count(*) FROM dead_letters WHERE message LIKE '%rf-8 %'`)) === 1 ? true : undefined),
      60_000,
      'reuse dead-lettered',
    );
    await h.publish(Topics.purchases.name, [{ key: 'm-twice', value: { ...purchase(8, 'm-twice'), orderId: 'o-8' } }]);
    await eventually(
      async () => ((await h.count(`SELECT count(*) FROM parked_inputs WHERE member_id = 'm-twice'`)) === 0 ? true : undefined),
      60_000,
      'refund settled',
    );
    // The purchase earned 100; the first refund (half of it) clawed back 50.
    expect((await h.balances())['m-twice']).toBe(50);
  });
});

describe('a refund still parked after its purchase committed (a crash between the two)', () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('refund-crash'));
  afterAll(() => h.stop());

  it('is applied when the purchase is consumed again and found a duplicate', async () => {
    await h.publish(Topics.purchases.name, [{ key: 'm-crash', value: { ...purchase(7, 'm-crash'), orderId: 'o-7' } }]);
    await h.startEarn();
    await eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 90_000, 'purchase consumed');
    // What a crash after the purchase's commit, before its waiting refunds were applied, leaves behind.
    const parked = {
      eventId: 'rf-7',
      type: 'purchase.refunded',
      occurredAt: '2026-11-21T10:00:00+08:00',
      memberId: 'm-crash',
      storeId: 'sh-07',
      orderId: 'o-7',
      refundId: 'r-7',
      amountMinor: 5_000,
      currency: 'CNY',
    };
    await h.sql.query(
      `INSERT INTO parked_inputs (scope, causation_id, member_id, wait_key, input, parked_at) VALUES ($1, 'rf-7', 'm-crash', 'order:o-7', $2, now())`,
      [Topics.purchases.name, JSON.stringify(parked)],
    );
    // Offsets not committed before the crash: the purchase is consumed again.
    await h.startEarn('tally-earn-after-crash');
    await eventually(async () => ((await h.count('SELECT count(*) FROM parked_inputs')) === 0 ? true : undefined), 60_000, 'parked refund applied');
    expect(await h.balances()).toEqual({ 'm-crash': 50 });
  });
});
