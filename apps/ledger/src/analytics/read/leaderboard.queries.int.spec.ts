import { LedgerEventMessage } from '@tally/contracts';
import { ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { DEFAULT_PROGRAM, businessDay } from '@tally/program';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import fc from 'fast-check';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { isoWeekOf } from '../fold/periods';
import { READ_MODEL_TABLES, applyToReadModel } from '../store/analytics.writer';
import { AnalyticsQueries } from './analytics.queries';
import { BoardKey, LeaderboardQueries } from './leaderboard.queries';

const context = { dayOf: (iso: string) => businessDay(DEFAULT_PROGRAM, iso), campaigns: [], baseTier: 'member' };
const DAYS = ['2026-10-30', '2026-11-02', '2026-11-23', '2026-11-29', '2026-11-30', '2026-12-01'];
const STORES = ['s-1', 's-2'];

interface Earning {
  memberId: string;
  day: string;
  storeId?: string;
  points: number;
  reason: string;
}

/** Earnings of a few members with few distinct amounts, so ties are common. */
const earnings = fc.array(
  fc.record({
    memberId: fc.constantFrom('m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5'),
    day: fc.constantFrom(...DAYS),
    storeId: fc.option(fc.constantFrom(...STORES), { nil: undefined }),
    points: fc.constantFrom(5, 10, 20),
    reason: fc.constantFrom('purchase', 'purchase', 'check-in', 'adjustment'),
  }),
  { minLength: 1, maxLength: 30 },
);

const toEvents = (list: Earning[]): LedgerEventMessage[] => {
  const versions = new Map<string, number>();
  return list.map((e, i) => {
    const version = (versions.get(e.memberId) ?? 0) + 1;
    versions.set(e.memberId, version);
    const occurredAt = `${e.day}T12:00:00+08:00`;
    const data = { points: e.points, lotId: 'l', expiresAt: '2099-01-01T00:00:00Z', reason: e.reason, tier: 'member', multiplier: 1, ruleIds: [] };
    return {
      position: String(i + 1),
      memberId: e.memberId,
      version,
      eventId: `e-${i}`,
      type: 'points.earned',
      data: e.storeId ? { ...data, storeId: e.storeId } : data,
      occurredAt,
      recordedAt: occurredAt,
      causationId: 'c',
      hash: '',
    } as LedgerEventMessage;
  });
};

const keyOf = (board: BoardKey['period'], day: string) => (board === 'day' ? day : board === 'week' ? isoWeekOf(day) : day.slice(0, 7));

/** The standings worked out from the earnings themselves: points desc, then member id asc. */
const expectedBoard = (list: Earning[], board: BoardKey) => {
  const points = new Map<string, number>();
  for (const e of list) {
    if (e.reason === 'adjustment' || keyOf(board.period, e.day) !== board.key) continue;
    if (board.storeId !== '' && e.storeId !== board.storeId) continue;
    points.set(e.memberId, (points.get(e.memberId) ?? 0) + e.points);
  }
  return [...points].sort(([a, p], [b, q]) => q - p || (a < b ? -1 : 1)).map(([memberId, p], i) => ({ rank: i + 1, memberId, points: p }));
};

describe('leaderboard and activity reads (real PostgreSQL, properties)', () => {
  let db: TestDatabase;
  let client: Client;
  let dataSource: DataSource;
  let boards: LeaderboardQueries;
  let analytics: AnalyticsQueries;

  beforeAll(async () => {
    db = await createTestDatabase('h26_leaderboard_reads', migrateLedger);
    client = new Client({ connectionString: db.url });
    await client.connect();
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
    boards = new LeaderboardQueries(dataSource);
    analytics = new AnalyticsQueries(dataSource, DEFAULT_PROGRAM);
  });

  afterAll(async () => {
    await client?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  const load = async (list: Earning[]) => {
    await client.query(`TRUNCATE ${READ_MODEL_TABLES.join(', ')}`);
    const events = toEvents(list);
    for (let start = 0; start < events.length; start += 7) {
      await client.query('BEGIN');
      await applyToReadModel(async (sql, parameters) => (await client.query(sql, parameters as unknown[])).rows, events.slice(start, start + 7), context);
      await client.query('COMMIT');
    }
  };

  it("ranks every board as its earnings say, ties to the lower member id, and gives each member's rank", async () => {
    await fc.assert(
      fc.asyncProperty(earnings, async (list) => {
        await load(list);
        for (const period of ['day', 'week', 'month'] as const) {
          for (const key of new Set(DAYS.map((day) => keyOf(period, day)))) {
            for (const storeId of ['', ...STORES]) {
              const board = { period, key, storeId };
              const expected = expectedBoard(list, board);
              expect(await boards.top(board, 100)).toEqual(expected);
              for (const memberId of ['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5']) {
                const entry = expected.find((e) => e.memberId === memberId);
                expect(await boards.rankOf(board, memberId)).toEqual(entry && { ...entry, members: expected.length });
              }
            }
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('counts the members whose last activity is in the 30 days up to the end of the span', async () => {
    await fc.assert(
      fc.asyncProperty(earnings, fc.constantFrom(...DAYS), async (list, to) => {
        await load(list);
        const last = new Map<string, string>();
        for (const e of list) if (e.reason !== 'adjustment' && e.day > (last.get(e.memberId) ?? '')) last.set(e.memberId, e.day);
        const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
        const expected = [...last.values()].filter((day) => day >= from && day <= to).length;
        expect((await analytics.activeMembers({ from: to, to })).last30Days).toBe(expected);
      }),
      { numRuns: 25 },
    );
  });
});
