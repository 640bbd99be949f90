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

  it('fails only the command whose decision throws, not the others batched with it', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => batcher.submit(earn(`b-${i}`, `bad-${i}`, i === 7))));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect((outcomes[7] as PromiseRejectedResult).reason).toEqual(new Error('a bug in one decision'));
  });
});
