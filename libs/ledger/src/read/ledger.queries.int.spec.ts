import { randomUUID } from 'node:crypto';
import { TestDatabase, createTestDatabase, eventually } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LedgerCommand } from '../append/ledger-command';
import { LedgerStore } from '../append/ledger.store';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { MemberStateCache } from '../state/member-state.cache';
import { MemberStates } from '../state/member-states';
import { LedgerQueries } from './ledger.queries';

const REJECT = `INSERT INTO rejections (scope, causation_id, member_id, code, message, recorded_at) VALUES ('test', $1, 'm-1', 'NO_POINTS', 'x', now()) RETURNING id`;
const DEAD_LETTER = `INSERT INTO dead_letters (source_topic, partition, "offset", reason, message, recorded_at, letter) VALUES ('t', 0, $1, 'invalid_json', 'x', now(), '{}') RETURNING id`;

describe('ops lists followed page by page while appends commit out of order', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let queries: LedgerQueries;
  let slow: Client;

  beforeAll(async () => {
    db = await createTestDatabase('lists', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 4)).initialize();
    queries = new LedgerQueries(dataSource, new MemberStates(new MemberStateCache(10)));
    slow = new Client({ connectionString: db.url });
    await slow.connect();
  });

  afterAll(async () => {
    await slow?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  const ids = (page: { items: Record<string, unknown>[] }) => page.items.map((item) => item.id);

  it.each([
    ['rejections', REJECT, (after: string) => queries.rejections({ after, limit: 10 })],
    ['dead letters', DEAD_LETTER, (after: string) => queries.deadLetters({ after, limit: 10 })],
  ] as const)('never show %s past one that commits later with a smaller id', async (_what, insert, list) => {
    // given a transaction that took an id first and has not committed
    await slow.query('BEGIN');
    const [{ id: late }] = (await slow.query(insert, ['1'])).rows;
    // and a later one, committed
    const [{ id: early }] = await dataSource.query(insert, ['2']);
    expect(Number(early)).toBeGreaterThan(Number(late));
    // when a reader lists from the start, the committed row waits rather than move the cursor past the other
    expect(ids(await list('0'))).toEqual([]);
    // then, once the first commits, both come, the first first, and nothing is skipped
    await slow.query('COMMIT');
    const page = await eventually(async () => {
      const listed = await list('0');
      return listed.items.length === 2 ? listed : undefined;
    });
    expect(ids(page)).toEqual([late, early]);
  });

  it('pages by the id of the last row seen', async () => {
    const all = await queries.rejections({ after: '0', limit: 500 });
    const first = await queries.rejections({ after: '0', limit: 1 });
    expect(first.next).toBe(all.items[0].id);
    expect(ids(await queries.rejections({ after: first.next as string, limit: 500 }))).toEqual(ids(all).slice(1));
    expect((await queries.rejections({ after: '0', limit: 500, memberId: 'm-1' })).items).toHaveLength(all.items.length);
    expect((await queries.rejections({ after: '0', limit: 500, memberId: 'm-2' })).items).toEqual([]);
  });
});

describe('a member’s rejections', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let queries: LedgerQueries;
  let store: LedgerStore;

  beforeAll(async () => {
    db = await createTestDatabase('related_rejections', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 4)).initialize();
    queries = new LedgerQueries(dataSource, new MemberStates(new MemberStateCache(10)));
    store = new LedgerStore(dataSource, { clock: () => new Date('2026-11-23T02:00:00Z'), newEventId: randomUUID });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const refusedFor = (causationId: string, memberIds: string[]): LedgerCommand<null> => ({
    scope: 'test',
    causationId,
    memberIds,
    refused: { input: { memberIds }, occurredAt: '2026-11-23T10:00:00+08:00' },
    decide: () => ({ kind: 'reject', memberId: memberIds[0], code: 'NOT_ENOUGH_POINTS', message: 'no', result: null }),
  });
  const listed = async (memberId: string) =>
    (await queries.rejections({ after: '0', limit: 50, memberId })).items.map((item) => [item.causationId, item.memberId]);

  it('lists a refusal for every member its command touched, recorded against the one that refused it', async () => {
    await store.execute([refusedFor('two-members', ['m-from', 'm-to']), refusedFor('one-member', ['m-to']), refusedFor('other', ['m-else'])]);
    expect(await listed('m-from')).toEqual([['two-members', 'm-from']]);
    expect(await listed('m-to')).toEqual([
      ['two-members', 'm-from'],
      ['one-member', 'm-to'],
    ]);
    expect(await listed('m-else')).toEqual([['other', 'm-else']]);
  });
});
