import { randomUUID } from 'node:crypto';
import { NewLedgerEvent } from '@tally/contracts';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { LedgerCommand } from './ledger-command';
import { LedgerStore } from './ledger.store';

const HOUR = '2026-11-23T02';

const earned = (memberId: string, points: number): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: '2026-11-23T10:00:00+08:00',
  data: { points, lotId: randomUUID(), expiresAt: '2027-11-23T02:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [], storeId: 'sh-c' },
});

/** An earning that counts its points in store sh-c's hour, or a refusal when `refuse`. */
const counted = (memberId: string, causationId: string, points: number, refuse = false): LedgerCommand<null> => ({
  scope: 'test',
  causationId,
  memberIds: [memberId],
  counts: (events) => events.map((e) => ({ storeId: 'sh-c', period: HOUR, points: (e.data as { points: number }).points })),
  decide: () =>
    refuse
      ? { kind: 'reject', memberId, code: 'REFUSED', message: 'refused', result: null }
      : { kind: 'append', events: [earned(memberId, points)], result: null },
});

describe("the append counts stores' hourly points in its own statement", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const stores: LedgerStore[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('store_counts', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 20)).initialize();
    // Two processes, each with its own cache: one's appends make the other's cached states stale.
    for (let i = 0; i < 2; i++) stores.push(new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID }));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const storePoints = async () => Number((await dataSource.query(`SELECT coalesce(sum(points), 0) AS p FROM store_hour_points WHERE store_id = 'sh-c'`))[0].p);
  const earnedPoints = async () => Number((await dataSource.query(`SELECT coalesce(sum(lifetime_earned), 0) AS p FROM member_state`))[0].p);

  it('counts exactly what commits: concurrent appends re-decided on conflicts, duplicates and refusals count nothing twice', async () => {
    const calls = Array.from({ length: 60 }, (_, i) => {
      const store = stores[i % 2];
      const memberId = `m-c-${i % 5}`;
      // every fourth a redelivery of an earlier one, every seventh refused
      const causationId = i % 4 === 3 ? `c-${i - 1}` : `c-${i}`;
      return store.executeCounted([counted(memberId, causationId, 10 + i, i % 7 === 6)]);
    });
    const outcomes = await Promise.all(calls);
    const appended = outcomes.flatMap((o) => o.results).filter((r) => r.status === 'appended').length;
    expect(appended).toBeGreaterThan(30);
    expect(await storePoints()).toBe(await earnedPoints());
    // each call that appended saw its store-hour's count with its own points in it
    for (const { results, totals } of outcomes) {
      if (results[0].status === 'appended') expect(totals.get(`sh-c\u0000${HOUR}`)).toBeGreaterThan(0);
      else expect(totals.size).toBe(0);
    }
  });

  it('writes no count for a batch that counts nothing', async () => {
    const before = await storePoints();
    const [result] = await stores[0].execute([{ ...counted('m-c-9', 'plain', 25), counts: undefined }]);
    expect(result.status).toBe('appended');
    expect(await storePoints()).toBe(before);
  });
});
