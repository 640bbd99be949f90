// Fills a ledger with `EVENTS` earned events over `MEMBERS` members through the real append path,
// for measuring `tally export` and `tally verify` (docs/operations.md has the figures and commands).
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand, LedgerStore, ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { randomUuid } from '@tally/platform';
import { DataSource } from 'typeorm';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tally_export_bench';
const EVENTS = Number(process.env.EVENTS ?? 1_000_000);
const MEMBERS = Number(process.env.MEMBERS ?? 100_000);
const BATCH = 1000;

const command = (i: number): LedgerCommand<null> => {
  const memberId = `m-${i % MEMBERS}`;
  const event: NewLedgerEvent = {
    type: 'points.earned',
    memberId,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    data: { points: 10 + (i % 90), lotId: randomUuid(), expiresAt: '2027-12-31T00:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: ['base'], storeId: `s-${i % 50}` },
  };
  return { scope: 'export-bench', causationId: `e-${i}`, memberIds: [memberId], decide: () => ({ kind: 'append', result: null, events: [event] }) };
};

const main = async () => {
  await migrateLedger(url);
  const dataSource = await new DataSource(ledgerDataSourceOptions(url)).initialize();
  const pool = ledgerAppendPool(url);
  const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUuid, pool });
  const started = Date.now();
  for (let from = 0; from < EVENTS; from += BATCH) {
    await store.execute(Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, k) => command(from + k)));
    if ((from / BATCH) % 50 === 0) process.stdout.write(`${from} events, ${Math.round(from / ((Date.now() - started) / 1000))}/s\n`);
  }
  process.stdout.write(`seeded ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  await pool.end();
  await dataSource.destroy();
};

void main();
