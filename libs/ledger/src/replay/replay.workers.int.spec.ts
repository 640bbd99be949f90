import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../append/ledger.store';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { earnCommand } from '../testing/ledger.fixtures';
import type * as Ledger from '../index';

const ROOT = join(__dirname, '../../../..');

/**
 * Replay on worker threads runs only from the compiled build (a worker cannot load TypeScript), so
 * this builds it and drives the compiled LedgerReplay against a database filled here.
 */
describe('replay on worker threads, one member range each', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let compiled: typeof Ledger;

  beforeAll(async () => {
    execFileSync('node', [join(ROOT, 'tools/build/build.mjs')], { stdio: 'ignore' });
    compiled = require(join(ROOT, 'dist/libs/ledger/src')) as typeof Ledger;
    db = await createTestDatabase('replay_workers', migrateLedger);
    const writer = await new DataSource(ledgerDataSourceOptions(db.url, 4)).initialize();
    const store = new LedgerStore(writer, { clock: () => new Date(), newEventId: randomUUID });
    for (let round = 0; round < 5; round++) {
      await store.execute(Array.from({ length: 300 }, (_, i) => earnCommand('workers', `m-${String(i).padStart(3, '0')}`, `w-${round}-${i}`, 10 + i)));
    }
    await writer.destroy();
    dataSource = await new DataSource(compiled.ledgerDataSourceOptions(db.url, 6)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('rebuilds identical rows from every range', async () => {
    const report = await new compiled.LedgerReplay(dataSource).run({ swap: false, parallelism: 3 });
    expect(report).toMatchObject({ identical: true, eventsReplayed: 1500, members: 300, differences: [] });
  });

  it('finds a changed row in whichever range holds it, and a swap repairs it', async () => {
    await dataSource.query(`UPDATE open_lots SET remaining = remaining + 5 WHERE member_id = 'm-250' AND lot_order = 2`);
    await dataSource.query(`UPDATE member_state SET tier = 'gold' WHERE member_id = 'm-010'`);
    await dataSource.query(`DELETE FROM member_orders WHERE member_id = 'm-123'`);
    const report = await new compiled.LedgerReplay(dataSource).run({ swap: true, parallelism: 3 });
    expect(report.swapped).toBe(true);
    // m-010's balance row, one of m-250's lots, and each of m-123's five orders.
    expect(report.differences).toHaveLength(7);
    expect(report.differences.filter((d) => d.table === 'member_orders' && d.live === null && d.key.startsWith('m-123/'))).toHaveLength(5);
    expect(report.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: 'member_state',
          key: 'm-010',
          live: expect.objectContaining({ tier: 'gold' }),
          rebuilt: expect.objectContaining({ tier: 'member' }),
        }),
        expect.objectContaining({ table: 'open_lots', key: expect.stringMatching(/^m-250\//) }),
        expect.objectContaining({ table: 'member_orders', key: expect.stringMatching(/^m-123\//), live: null }),
      ]),
    );
    expect(await new compiled.LedgerReplay(dataSource).run({ swap: false, parallelism: 3 })).toMatchObject({ identical: true, members: 300 });
  });
});
