import { randomUUID } from 'node:crypto';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { earnedEvent } from '../testing/ledger.fixtures';
import { LedgerCommand } from './ledger-command';
import { LedgerBatcher } from './ledger.batcher';
import { LedgerStore } from './ledger.store';

const earn = (memberId: string, causationId: string, explode = false): LedgerCommand<string> => ({
  scope: 'batcher-test',
  causationId,
  memberIds: [memberId],
  decide: () => {
    if (explode) throw new Error('a bug in one decision');
    return {
      kind: 'append',
      result: causationId,
      events: [earnedEvent(memberId, 1)],
    };
  },
});

describe('group commit of concurrent commands', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let batcher: LedgerBatcher;

  beforeAll(async () => {
    db = await createTestDatabase('batcher', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 10)).initialize();
    batcher = new LedgerBatcher(new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID }));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('answers every caller with its own result while sharing transactions, one member or many', async () => {
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => batcher.submit(earn(i % 3 === 0 ? 'm-hot' : `m-${i}`, `c-${i}`))));
    expect(results.map((r) => r.status === 'appended' && r.result)).toEqual(Array.from({ length: 300 }, (_, i) => `c-${i}`));
    const [{ transactions }] = await dataSource.query('SELECT count(DISTINCT recorded_at)::int AS transactions FROM ledger_events');
    expect(transactions).toBeLessThan(300);
    const [{ version }] = await dataSource.query(`SELECT version FROM member_state WHERE member_id = 'm-hot'`);
    expect(version).toBe(100);
  });

  it('never has one member in two batches at once: a hot member goes one batch after the other', async () => {
    const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
    const inFlight = new Map<string, number>();
    let overlaps = 0;
    const execute = store.execute.bind(store);
    store.execute = async (commands) => {
      const members = [...new Set(commands.flatMap((c) => c.memberIds))];
      for (const id of members) {
        if (inFlight.get(id)) overlaps += 1;
        inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      }
      try {
        return await execute(commands);
      } finally {
        for (const id of members) inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
      }
    };
    const busy = new LedgerBatcher(store, { maxConcurrent: 4 });
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => busy.submit(earn(i % 2 === 0 ? 'm-hotter' : `h-${i % 37}`, `h-${i}`))));
    expect(results.every((r) => r.status === 'appended')).toBe(true);
    expect(overlaps).toBe(0);
    const [{ version }] = await dataSource.query(`SELECT version FROM member_state WHERE member_id = 'm-hotter'`);
    expect(version).toBe(200);
  });

  it('fails only the command whose decision throws, not the others batched with it', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => batcher.submit(earn(`b-${i}`, `bad-${i}`, i === 7))));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect((outcomes[7] as PromiseRejectedResult).reason).toEqual(new Error('a bug in one decision'));
  });
});
