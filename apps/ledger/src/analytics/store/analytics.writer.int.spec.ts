import { LedgerEventMessage } from '@tally/contracts';
import { migrateLedger } from '@tally/ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import fc from 'fast-check';
import { Client } from 'pg';
import { context, deliveries, log } from '../testing/ledger-log.arbitrary';
import { READ_MODEL_TABLES, RunQuery, applyToReadModel } from './analytics.writer';

describe('analytics writer (real PostgreSQL, properties)', () => {
  let db: TestDatabase;
  let client: Client;
  const query: RunQuery = async (sql, parameters) => (await client.query(sql, parameters as unknown[])).rows;

  beforeAll(async () => {
    db = await createTestDatabase('h26_analytics_writer', migrateLedger);
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const reset = async () => {
    await query(`TRUNCATE ${READ_MODEL_TABLES.join(', ')}`);
    await query(`UPDATE analytics_progress SET position = 0, last_recorded_at = NULL, events_applied = 0`);
  };

  const applyBatches = async (batches: LedgerEventMessage[][]) => {
    let applied = 0;
    for (const batch of batches) {
      await query('BEGIN');
      applied += (await applyToReadModel(query, batch, context)).applied;
      await query('COMMIT');
    }
    return applied;
  };

  /** Every row of the read model, each table's rows in a stable order; boards by their key, not their id (ids depend on insertion). */
  const snapshot = async () => {
    const tables: Record<string, string[]> = {};
    const rowsOf = (table: string) =>
      table === 'leaderboard_points'
        ? `SELECT row_to_json(t)::jsonb AS row FROM (SELECT b.period, b.period_key, b.store_id, p.member_id, p.points
             FROM leaderboard_points p JOIN leaderboard_boards b USING (board_id)) t`
        : `SELECT row_to_json(t)::jsonb - 'applied_at' - 'board_id' AS row FROM ${table} t`;
    for (const table of [...READ_MODEL_TABLES, 'analytics_progress']) {
      const rows = await query(rowsOf(table));
      tables[table] = rows.map((r) => JSON.stringify((r as { row: unknown }).row)).sort();
    }
    return tables;
  };

  it('gives the same aggregates for a log applied in any batches, with redeliveries, as applied one event at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        log.chain((events) => deliveries(events).map((batches) => ({ events, batches }))),
        async ({ events, batches }) => {
          await reset();
          expect(await applyBatches(events.map((e) => [e]))).toBe(events.length);
          const oneByOne = await snapshot();
          await reset();
          expect(await applyBatches(batches)).toBe(events.length);
          expect(await snapshot()).toEqual(oneByOne);
        },
      ),
      { numRuns: 40 },
    );
  });
});
