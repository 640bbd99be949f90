import { randomUUID } from 'node:crypto';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand, LedgerReplay, LedgerStore, auditLedger, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { DataSource } from 'typeorm';
import { benchDatabaseUrl, log, machine, recreateDatabase, writeResults } from './bench-support';

const MEMBERS = 20_000;

const earned = (memberId: string, i: number): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  data: {
    points: 100 + (i % 900),
    lotId: randomUUID(),
    expiresAt: new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString(),
    reason: 'purchase',
    storeId: `s-${i % 300}`,
    orderId: `o-${i}`,
    orderAmountMinor: (100 + (i % 900)) * 100,
    tier: 'member',
    multiplier: 1,
    ruleIds: ['purchase.base'],
    day: '2026-01-01',
  },
});

let sequence = 0;
const nextCommand = (): LedgerCommand<null> => {
  const i = sequence++;
  const memberId = `m-${i % MEMBERS}`;
  return { scope: 'bench', causationId: `e-${i}`, memberIds: [memberId], decide: () => ({ kind: 'append', events: [earned(memberId, i)], result: null }) };
};

const appendRate = async (store: LedgerStore, batchSize: number, events: number, concurrency: number) => {
  const started = performance.now();
  let remaining = events;
  const worker = async () => {
    while (remaining > 0) {
      const take = Math.min(batchSize, remaining);
      remaining -= take;
      await store.execute(Array.from({ length: take }, nextCommand));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { batchSize, concurrency, events, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(events / seconds) };
};

const emmettRate = async (url: string, events: number, concurrency: number) => {
  const store = getPostgreSQLEventStore(url);
  let remaining = events;
  let i = 0;
  const started = performance.now();
  const worker = async () => {
    while (remaining-- > 0) {
      const n = i++;
      const event = earned(`m-${n % MEMBERS}`, n);
      await store.appendToStream(`member-${n % MEMBERS}`, [{ type: event.type, data: event.data as unknown as Record<string, unknown> }]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const [{ bytes, count }] = await new DataSource({ type: 'postgres', url })
    .initialize()
    .then(async (ds) => {
      // emmett partitions its messages table: count the whole partition tree.
      const rows = await ds.query(
        `SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('emt_messages')) AS bytes,
                (SELECT count(*) FROM emt_messages) AS count`,
      );
      await ds.destroy();
      return rows;
    });
  await store.close();
  return { concurrency, events, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(events / seconds), bytesPerEvent: Math.round(Number(bytes) / Number(count)) };
};

const main = async () => {
  const url = benchDatabaseUrl('tally_bench_ledger');
  await recreateDatabase(url);
  await migrateLedger(url);
  const dataSource = await new DataSource(ledgerDataSourceOptions(url, 16)).initialize();
  const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });

  log('warming up ...');
  await appendRate(store, 100, 5_000, 1);
  const append = [];
  for (const [batchSize, events, concurrency] of [
    [1, 3_000, 1],
    [1, 6_000, 8],
    [100, 30_000, 1],
    [100, 60_000, 4],
    [1000, 100_000, 1],
    [1000, 100_000, 2],
  ]) {
    const result = await appendRate(store, batchSize, events, concurrency);
    log(`append batch ${batchSize} x${concurrency}: ${result.eventsPerSecond} events/s`);
    append.push(result);
  }
  await dataSource.query('VACUUM ANALYZE ledger_events');
  const [{ bytes, count, heap, indexes }] = await dataSource.query(
    `SELECT pg_total_relation_size('ledger_events') AS bytes, pg_relation_size('ledger_events') AS heap,
            pg_indexes_size('ledger_events') AS indexes, (SELECT count(*) FROM ledger_events) AS count`,
  );
  const totalEvents = Number(count);
  const replayReport = await new LedgerReplay(dataSource).run({ swap: false });
  log(`replay: ${replayReport.eventsReplayed} events in ${replayReport.ms} ms (identical: ${replayReport.identical})`);
  const auditReport = await auditLedger(dataSource);
  log(`audit: ${auditReport.eventsChecked} events in ${auditReport.ms} ms (ok: ${auditReport.ok})`);
  await dataSource.destroy();

  const emmettUrl = benchDatabaseUrl('tally_bench_emmett');
  await recreateDatabase(emmettUrl);
  const emmett = [await emmettRate(emmettUrl, 3_000, 1), await emmettRate(emmettUrl, 6_000, 8)];
  for (const e of emmett) log(`emmett appendToStream x${e.concurrency}: ${e.eventsPerSecond} events/s`);

  const bestTally = Math.max(...append.map((a) => a.eventsPerSecond));
  const bestEmmett = Math.max(...emmett.map((e) => e.eventsPerSecond));
  const results = {
    benchmark: 'ledger',
    command: 'npm run bench:ledger',
    machine: machine(),
    append,
    storage: {
      events: totalEvents,
      bytesPerEvent: Math.round(Number(bytes) / totalEvents),
      heapBytesPerEvent: Math.round(Number(heap) / totalEvents),
      indexBytesPerEvent: Math.round(Number(indexes) / totalEvents),
    },
    replay: { events: replayReport.eventsReplayed, ms: replayReport.ms, eventsPerSecond: Math.round((replayReport.eventsReplayed / replayReport.ms) * 1000), identical: replayReport.identical },
    audit: { events: auditReport.eventsChecked, ms: auditReport.ms, eventsPerSecond: Math.round((auditReport.eventsChecked / auditReport.ms) * 1000), ok: auditReport.ok },
    emmett,
    ratio: { bestTallyAppend: bestTally, bestEmmettAppend: bestEmmett, tallyOverEmmett: Number((bestTally / bestEmmett).toFixed(2)) },
    targets: { batchedAppend: 20_000, replay: 150_000, audit: 200_000, bytesPerEvent: 350, overEmmett: 3 },
  };
  log(`results: ${writeResults('ledger', results)}`);
};

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
