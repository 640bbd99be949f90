import { randomUUID } from 'node:crypto';
import { NewLedgerEvent } from '@tally/contracts';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { LedgerCommand } from './ledger-command';
import { LedgerStore } from './ledger.store';

/** Tables that grow with every purchase: a lookup that scans one gets slower with each append. */
const GROWING = ['ledger_events', 'member_state', 'open_lots', 'open_holds', 'member_orders', 'causations', 'rejections', 'parked_inputs'];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Plans?: PlanNode[];
}

/** Reads of a growing table that no key narrows: a sequential scan, or an index read end to end. */
const fullScans = (node: PlanNode): PlanNode[] => {
  const reads = node['Node Type'].endsWith('Scan') && GROWING.includes(node['Relation Name'] ?? '');
  const own = reads && !node['Index Cond'] && !node['Recheck Cond'] ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap(fullScans)];
};

const purchase = (memberId: string, orderId: string): LedgerCommand<null> => ({
  scope: 'test',
  causationId: `buy-${memberId}-${orderId}`,
  memberIds: [memberId],
  newOrders: [{ memberId, orderId }],
  decide: () => {
    const data = {
      points: 10,
      lotId: randomUUID(),
      expiresAt: '2027-11-23T02:00:00.000Z',
      reason: 'purchase',
      orderId,
      orderAmountMinor: 1000,
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
    };
    return { kind: 'append', result: null, events: [{ type: 'points.earned', memberId, occurredAt: '2026-11-23T10:00:00.000Z', data } as NewLedgerEvent] };
  },
});

/**
 * The append pool plans each statement once per connection (`force_generic_plan`), with the
 * tables as they are then. A service started on a new ledger plans on empty tables, where a
 * sequential scan looks cheapest; kept for the connection's life, that plan made every append
 * slower as members joined (seen in bench:earn: one backend at 60% of a core for 1,000 purchases/s
 * after 30 s, 845 scans reading 14M rows of member_state).
 */
describe('append statements, planned once per connection', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('plans', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** The full scans in the plans a new append connection keeps after appends of each kind. */
  const fullScansPlanned = async (members: string): Promise<string[]> => {
    const pool = ledgerAppendPool(db.url, 1);
    const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID, pool });
    try {
      // Under locks (the first append knows no projection generation yet), then without locks for a
      // member cached and one that is not, then an order stored before, which sends the append back under locks.
      await store.execute([purchase(`${members}-1`, 'o-1')]);
      await store.execute([purchase(`${members}-1`, 'o-2'), purchase(`${members}-2`, 'o-1')]);
      await store.execute([{ ...purchase(`${members}-2`, 'o-1'), causationId: `again-${members}` }]);
      const client = await pool.connect();
      try {
        const { rows: statements } = await client.query<{ name: string; parameters: number }>(
          `SELECT name, cardinality(parameter_types) AS parameters FROM pg_prepared_statements WHERE NOT from_sql`,
        );
        expect(statements.map((s) => s.name)).toEqual(expect.arrayContaining(['tally_append_batch', 'tally_load_current', 'tally_find_causations']));
        const scans: string[] = [];
        for (const { name, parameters } of statements) {
          // The plan a prepared statement keeps, shown without running it (parameters do not matter to it).
          const nulls = Array.from({ length: parameters }, () => 'NULL').join(', ');
          const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
            `EXPLAIN (FORMAT JSON) EXECUTE ${name}${parameters > 0 ? `(${nulls})` : ''}`,
          );
          for (const node of fullScans(rows[0]['QUERY PLAN'][0].Plan)) scans.push(`${name}: ${node['Node Type']} on ${node['Relation Name']}`);
        }
        return scans;
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  };

  /** Members with a balance row and an open lot each, written directly: a ledger some days old. */
  const seed = (count: number) =>
    dataSource.query(
      `WITH m AS (INSERT INTO member_state (member_id, version, available, pending, held, debt, lifetime_earned, lifetime_redeemed, expired, tier, last_hash)
                  SELECT 'seed-' || n, 1, 10, 0, 0, 0, 10, 0, 0, 'member', '\\x00' FROM generate_series(1, $1) n)
       INSERT INTO open_lots (member_id, lot_id, remaining, held, expires_at, available_at, pending, lot_order)
       SELECT 'seed-' || n, 'lot-' || n, 10, 0, now() + interval '1 year', NULL, false, 1 FROM generate_series(1, $1) n`,
      [count],
    );

  it('look rows up by key on an empty ledger, never by scanning a table that grows', async () => {
    expect(await fullScansPlanned('empty')).toEqual([]);
  });

  it('look rows up by key on a ledger of 20,000 members, with statistics or without', async () => {
    await seed(20_000);
    expect(await fullScansPlanned('unanalyzed')).toEqual([]);
    await dataSource.query('ANALYZE');
    expect(await fullScansPlanned('analyzed')).toEqual([]);
  });
});
