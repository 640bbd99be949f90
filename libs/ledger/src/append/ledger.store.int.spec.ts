import { randomUUID } from 'node:crypto';
import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { GENESIS_HASH, eventHash } from '../hashing/event-hash';
import { LedgerQueries } from '../read/ledger.queries';
import { LedgerCommand } from './ledger-command';
import { LedgerStore } from './ledger.store';

const earn = (memberId: string, points: number, lotId = randomUUID()): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: '2026-11-23T10:00:00+08:00',
  data: { points, lotId, expiresAt: '2027-11-23T02:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
});

const earnCommand = (memberId: string, causationId: string, points: number): LedgerCommand<null> => ({
  scope: 'test',
  causationId,
  memberIds: [memberId],
  decide: () => ({ kind: 'append', events: [earn(memberId, points)], result: null }),
});

const redeemCommand = (memberId: string, redemptionId: string, points: number): LedgerCommand<string> => ({
  scope: 'redemption',
  causationId: redemptionId,
  memberIds: [memberId],
  decide: (states: Readonly<Record<string, MemberState>>) => {
    const state = states[memberId];
    if (balanceOf(state).available < points) {
      return { kind: 'reject', memberId, code: 'INSUFFICIENT_POINTS', message: 'not enough', result: 'refused' };
    }
    const { portions } = takeFromLots(state.lots, points);
    return {
      kind: 'append',
      result: 'ok',
      events: [{ type: 'points.redeemed', memberId, occurredAt: '2026-11-24T10:00:00Z', data: { points, redemptionId, storeId: 's1', fromLots: portions } }],
    };
  },
});

interface StoredRow {
  version: number;
  event_id: string;
  type: string;
  occurred_at: Date;
  recorded_at: Date;
  causation_id: string;
  data_text: string;
  hash: Buffer;
}

describe('ledger store against PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: LedgerStore;

  beforeAll(async () => {
    db = await createTestDatabase('store', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 20)).initialize();
    store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const balance = async (memberId: string) => (await dataSource.query('SELECT available, held, version FROM member_state WHERE member_id = $1', [memberId]))[0];

  it('refuses UPDATE, DELETE and TRUNCATE on the log at the database level (invariant 1)', async () => {
    await store.executeOne(earnCommand('m-immutable', 'e-1', 100));
    await expect(dataSource.query(`UPDATE ledger_events SET data = '{}' WHERE member_id = 'm-immutable'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM ledger_events WHERE member_id = 'm-immutable'`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE ledger_events`)).rejects.toThrow(/append-only/);
    expect(Number((await dataSource.query(`SELECT count(*) FROM ledger_events WHERE member_id = 'm-immutable'`))[0].count)).toBe(1);
  });

  it('appends nothing for the same causation twice, even concurrently (invariant 2)', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.executeOne(earnCommand('m-dup', 'pos-7-000123', 50))));
    expect(results.filter((r) => r.status === 'appended')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(7);
    expect(await balance('m-dup')).toMatchObject({ available: '50', version: 1 });
  });

  it('never lets concurrent redemptions overspend (invariant 3)', async () => {
    await store.executeOne(earnCommand('m-hot', 'seed', 1000));
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => store.executeOne(redeemCommand('m-hot', `r-${i}`, 30))));
    expect(outcomes.filter((o) => o.status === 'appended')).toHaveLength(33);
    expect(await balance('m-hot')).toMatchObject({ available: '10' });
  });

  it('chains each member event to the previous one by hash and numbers versions without gaps', async () => {
    await store.execute([earnCommand('m-chain', 'c1', 1), earnCommand('m-chain', 'c2', 2), earnCommand('m-chain', 'c3', 3)]);
    const rows: StoredRow[] = await dataSource.query(
      `SELECT version, event_id, type, occurred_at, recorded_at, causation_id, data::text AS data_text, hash
         FROM ledger_events WHERE member_id = 'm-chain' ORDER BY version`,
    );
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const recomputed = eventHash(prev, {
        memberId: 'm-chain',
        version: row.version,
        eventId: row.event_id,
        type: row.type,
        occurredAt: row.occurred_at.toISOString(),
        recordedAt: row.recorded_at.toISOString(),
        causationId: row.causation_id,
        dataText: row.data_text,
      });
      expect(row.hash.toString('hex')).toBe(recomputed);
      prev = recomputed;
    }
    const [head] = await dataSource.query(`SELECT version, last_hash FROM member_state WHERE member_id = 'm-chain'`);
    expect({ version: head.version, lastHash: head.last_hash.toString('hex') }).toEqual({ version: 3, lastHash: prev });
  });

  it('stores event data by its layout and reads it back as it was decided', async () => {
    await store.executeOne(earnCommand('m-layout', 'l1', 7));
    const [stored] = await dataSource.query(`SELECT data::text AS text FROM ledger_events WHERE member_id = 'm-layout'`);
    expect(JSON.parse(stored.text)).toEqual([7, expect.any(String), '2027-11-23T02:00:00.000Z', 'purchase', 'member', 1, []]);
    const [expanded] = await dataSource.query(`SELECT data FROM ledger_events_expanded WHERE member_id = 'm-layout'`);
    expect(expanded.data).toEqual({
      points: 7,
      lotId: expect.any(String),
      expiresAt: '2027-11-23T02:00:00.000Z',
      reason: 'purchase',
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
    });
    const page = await new LedgerQueries(dataSource, store.states).events('m-layout', '0', 10);
    const [{ position }] = await dataSource.query(`SELECT position::text FROM ledger_events WHERE member_id = 'm-layout' AND version = 1`);
    expect(page.items).toMatchObject([{ position, version: 1, data: expanded.data, prevHash: GENESIS_HASH }]);
  });

  it('keeps orders out of the member state, and gives a decision the orders it names from their projection', async () => {
    const purchase: NewLedgerEvent = {
      type: 'points.earned',
      memberId: 'm-orders',
      occurredAt: '2026-11-23T10:00:00Z',
      data: {
        points: 120,
        lotId: 'lot-o1',
        expiresAt: '2027-11-23T10:00:00.000Z',
        reason: 'purchase',
        orderId: 'o-1',
        orderAmountMinor: 12_000,
        tier: 'member',
        multiplier: 1,
        ruleIds: [],
      },
    };
    await store.executeOne({
      scope: 'test',
      causationId: 'buy-1',
      memberIds: ['m-orders'],
      decide: () => ({ kind: 'append', events: [purchase], result: null }),
    });
    expect(await dataSource.query(`SELECT order_id, points::int, amount_minor::int, refund_ids FROM member_orders WHERE member_id = 'm-orders'`)).toEqual([
      { order_id: 'o-1', points: 120, amount_minor: 12_000, refund_ids: [] },
    ]);
    const seen: unknown[] = [];
    const refund = (causationId: string, orders?: { memberId: string; orderId: string }[]): LedgerCommand<null> => ({
      scope: 'test',
      causationId,
      memberIds: ['m-orders'],
      ...(orders ? { orders } : {}),
      decide: (states) => {
        seen.push(states['m-orders'].orders.get('o-1'));
        const fromLots = takeFromLots(states['m-orders'].lots, 30).portions;
        return {
          kind: 'append',
          result: null,
          events: [
            {
              type: 'points.clawed-back',
              memberId: 'm-orders',
              occurredAt: '2026-11-24T10:00:00Z',
              data: { points: 30, orderId: 'o-1', refundId: causationId, fromLots, refundedMinor: 3000 },
            },
          ],
        };
      },
    });
    store.states.cache.clear();
    await store.executeOne(refund('r-1', [{ memberId: 'm-orders', orderId: 'o-1' }]));
    await store.executeOne(refund('r-2', [{ memberId: 'm-orders', orderId: 'o-1' }]));
    await store.executeOne(refund('r-3'));
    expect(seen).toEqual([
      { points: 120, amountMinor: 12_000, clawedBack: 0, refundedMinor: 0, refundIds: [] },
      { points: 120, amountMinor: 12_000, clawedBack: 30, refundedMinor: 3000, refundIds: ['r-1'] },
      undefined,
    ]);
    expect(await dataSource.query(`SELECT clawed_back::int, refunded_minor::int, refund_ids FROM member_orders WHERE member_id = 'm-orders'`)).toEqual([
      { clawed_back: 60, refunded_minor: 6000, refund_ids: ['r-1', 'r-2'] },
    ]);
    expect(store.states.cache.takeUnverified('m-orders')?.state.orders.size).toBe(0);
  });

  describe('appends without locks, checked in the statement that writes', () => {
    const chainOf = async (memberId: string) =>
      (await dataSource.query('SELECT version FROM ledger_events WHERE member_id = $1 ORDER BY version', [memberId])).map(
        (r: { version: number }) => r.version,
      );

    it('decides again when another process appended to the member meanwhile (its cached state is stale)', async () => {
      const other = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
      for (let i = 0; i < 6; i++) await (i % 2 === 0 ? store : other).executeOne(earnCommand('m-two-processes', `tp-${i}`, 10));
      expect(await chainOf('m-two-processes')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await balance('m-two-processes')).toMatchObject({ available: '60', version: 6 });
    });

    it('writes nothing from a cached state ahead of the database, and decides again on the stored one', async () => {
      await store.executeOne(earnCommand('m-ahead', 'ah-1', 10));
      const cached = store.states.cache.takeUnverified('m-ahead');
      expect(cached).toBeDefined();
      const ahead = cached as NonNullable<typeof cached>;
      // As if the database had been restored from a backup taken before this process's last append.
      store.states.cache.remember('m-ahead', { ...ahead, state: { ...ahead.state, version: ahead.state.version + 3 } });
      await store.executeOne(earnCommand('m-ahead', 'ah-2', 10));
      expect(await chainOf('m-ahead')).toEqual([1, 2]);
      expect(await balance('m-ahead')).toMatchObject({ available: '20', version: 2 });
    });

    it('decides a new order as absent without reading it, and again under locks when it exists after all', async () => {
      const seen: boolean[] = [];
      const purchase = (causationId: string): LedgerCommand<null> => ({
        scope: 'test',
        causationId,
        memberIds: ['m-new-order'],
        newOrders: [{ memberId: 'm-new-order', orderId: 'o-9' }],
        decide: (states) => {
          const known = states['m-new-order'].orders.has('o-9');
          seen.push(known);
          if (known) return { kind: 'reject', memberId: 'm-new-order', code: 'DUPLICATE_ORDER', message: 'earned before', result: null };
          const data = {
            points: 50,
            lotId: `lot-${causationId}`,
            expiresAt: '2027-11-23T10:00:00.000Z',
            reason: 'purchase',
            orderId: 'o-9',
            orderAmountMinor: 5000,
            tier: 'member',
            multiplier: 1,
            ruleIds: [],
          };
          return {
            kind: 'append',
            result: null,
            events: [{ type: 'points.earned', memberId: 'm-new-order', occurredAt: '2026-11-23T10:00:00Z', data } as NewLedgerEvent],
          };
        },
      });
      expect((await store.executeOne(purchase('no-1'))).status).toBe('appended');
      // The member's state is cached at its head: the second purchase of the order is first decided without it.
      const again = await store.executeOne(purchase('no-2'));
      expect(again).toMatchObject({ status: 'rejected', code: 'DUPLICATE_ORDER' });
      expect(seen).toEqual([false, false, true]);
      expect(await chainOf('m-new-order')).toEqual([1]);
      expect(await balance('m-new-order')).toMatchObject({ available: '50', version: 1 });
    });

    it('answers a causation seen before as a duplicate, and appends nothing', async () => {
      await store.executeOne(earnCommand('m-seen', 'seen-1', 10));
      const again = await store.executeOne(earnCommand('m-seen', 'seen-1', 10));
      expect(again.status).toBe('duplicate');
      expect(await chainOf('m-seen')).toEqual([1]);
    });

    it('stops deciding from cached states once a replay swapped projections in', async () => {
      await store.executeOne(earnCommand('m-swapped', 'sw-1', 10));
      expect(store.states.cache.size).toBeGreaterThan(0);
      await dataSource.query('UPDATE projection_generation SET generation = generation + 1');
      await store.executeOne(earnCommand('m-swapped', 'sw-2', 10));
      expect(await balance('m-swapped')).toMatchObject({ available: '20', version: 2 });
      // The locked retry read the new generation and let go of every state folded before it.
      expect(store.states.cache.size).toBe(1);
    });
  });

  describe('on connections of its own (ledgerAppendPool)', () => {
    const pools: Pool[] = [];
    const storeOn = (size: number) => {
      const pool = ledgerAppendPool(db.url, size);
      pools.push(pool);
      return { pool, pooled: new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID, pool }) };
    };

    afterAll(async () => {
      await Promise.all(pools.map((pool) => pool.end()));
    });

    it('plans each statement of an append once, not once per append', async () => {
      // One connection: every append runs on it, and so does the look at its statements.
      const { pool, pooled } = storeOn(1);
      for (let i = 0; i < 12; i++) await pooled.executeOne(earnCommand(`m-planned-${i}`, `pl-${i}`, 10));
      const { rows } = await pool.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'tally_append_batch'`);
      expect(rows).toEqual([{ generic_plans: '12', custom_plans: '0' }]);
    });

    it('keeps invariants 2 and 3 with concurrent appends deciding again on its connections', async () => {
      const { pooled } = storeOn(4);
      const sameCausation = await Promise.all(Array.from({ length: 4 }, () => pooled.executeOne(earnCommand('m-pool-dup', 'pd-1', 50))));
      expect(sameCausation.map((r) => r.status).sort()).toEqual(['appended', 'duplicate', 'duplicate', 'duplicate']);
      await pooled.executeOne(earnCommand('m-pool-hot', 'ph-seed', 100));
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => pooled.executeOne(redeemCommand('m-pool-hot', `ph-${i}`, 30))));
      expect(outcomes.filter((o) => o.status === 'appended')).toHaveLength(3);
      expect(await balance('m-pool-hot')).toMatchObject({ available: '10', version: 4 });
    });
  });

  it('records a business refusal as a rejection, appending nothing', async () => {
    const [result] = await store.execute([redeemCommand('m-poor', 'r-poor', 10)]);
    expect(result.status).toBe('rejected');
    const rejections = await dataSource.query(`SELECT code FROM rejections WHERE member_id = 'm-poor'`);
    expect(rejections).toEqual([{ code: 'INSUFFICIENT_POINTS' }]);
  });

  it('records a refusal of any instant the contract accepts, without failing the batch it is in', async () => {
    // Year 0000 and offsets beyond 15:59 are ISO-8601 that PostgreSQL does not read as written.
    const refused = ['0000-06-01T00:00:00Z', '0001-01-01T00:00:00+08:00', '2019-12-31T23:00:00+18:00', '2026-11-23T10:15:00.123456-03:30'];
    const results = await store.execute([
      ...refused.map((occurredAt, i): LedgerCommand<null> => ({
        scope: 'test',
        causationId: `refused-${i}`,
        memberIds: [`m-refused-${i}`],
        refused: { input: null, occurredAt },
        decide: () => ({ kind: 'reject', memberId: `m-refused-${i}`, code: 'OCCURRED_BEFORE_PROGRAM', message: 'too old', result: null }),
      })),
      earnCommand('m-refused-neighbour', 'refused-neighbour', 10),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'appended']);
    const stored: { causation_id: string; ms: string }[] = await dataSource.query(
      `SELECT causation_id, (extract(epoch FROM occurred_at) * 1000)::bigint::text AS ms FROM rejections WHERE causation_id LIKE 'refused-%' ORDER BY causation_id`,
    );
    expect(stored).toEqual(refused.map((occurredAt, i) => ({ causation_id: `refused-${i}`, ms: String(Date.parse(occurredAt)) })));
  });
});
