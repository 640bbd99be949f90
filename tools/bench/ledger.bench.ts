import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerBatcher, LedgerCommand, LedgerReplay, LedgerStore, auditLedger, ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { randomId, randomUuid } from '@tally/platform';
import { DataSource } from 'typeorm';
import { benchDatabaseUrl, log, machine, recreateDatabase, writeResults } from './bench-support';

const MEMBERS = 20_000;

/** A purchase's earning as the earn service decides it (22-character lot ids, the fields it sets). */
const earned = (memberId: string, i: number): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  data: {
    points: 100 + (i % 900),
    lotId: randomId(),
    expiresAt: new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString(),
    reason: 'purchase',
    storeId: `s-${i % 300}`,
    orderId: `o-${i}`,
    orderAmountMinor: (100 + (i % 900)) * 100,
    tier: 'member',
    multiplier: 1,
    ruleIds: ['purchase.base'],
    day: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().slice(0, 10),
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

/** Percentiles of per-call latencies in milliseconds. */
const latencyOf = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2));
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
};

/**
 * One event per call, `concurrency` callers each waiting for its own answer, as HTTP requests do:
 * straight to the store (a transaction each) or through the batcher the redeem service uses
 * (concurrent calls share a transaction and its commit).
 */
const oneEventRate = async (append: (command: LedgerCommand<null>) => Promise<unknown>, events: number, concurrency: number) => {
  const latencies: number[] = [];
  let remaining = events;
  const started = performance.now();
  const worker = async () => {
    while (remaining-- > 0) {
      const t = performance.now();
      await append(nextCommand());
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, events, eventsPerSecond: Math.round(events / seconds), ...latencyOf(latencies) };
};

/**
 * What one commit's WAL flush costs on this host: the median one-row autocommit insert with
 * synchronous_commit on, against off. A caller told its points are spent waits for one flush at least.
 */
const commitFlush = async (dataSource: DataSource) => {
  const runner = dataSource.createQueryRunner();
  await runner.query('CREATE TABLE IF NOT EXISTS bench_flush_probe (v int)');
  const median = async (sync: 'on' | 'off') => {
    await runner.query(`SET synchronous_commit = ${sync}`);
    const samples: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await runner.query('INSERT INTO bench_flush_probe (v) VALUES ($1)', [i]);
      samples.push(performance.now() - t);
    }
    return latencyOf(samples).p50Ms;
  };
  const result = { syncOnMs: await median('on'), syncOffMs: await median('off') };
  await runner.query('DROP TABLE bench_flush_probe');
  await runner.release();
  return result;
};

const emmettRate = async (url: string, events: number, concurrency: number) => {
  const store = getPostgreSQLEventStore(url);
  let remaining = events;
  let i = 0;
  const started = performance.now();
  const latencies: number[] = [];
  const worker = async () => {
    while (remaining-- > 0) {
      const n = i++;
      const event = earned(`m-${n % MEMBERS}`, n);
      const t = performance.now();
      await store.appendToStream(`member-${n % MEMBERS}`, [{ type: event.type, data: event.data as unknown as Record<string, unknown> }]);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const [{ bytes, count }] = await new DataSource({ type: 'postgres', url }).initialize().then(async (ds) => {
    // emmett partitions its messages table: count the whole partition tree.
    const rows = await ds.query(
      `SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('emt_messages')) AS bytes,
                (SELECT count(*) FROM emt_messages) AS count`,
    );
    await ds.destroy();
    return rows;
  });
  await store.close();
  return {
    concurrency,
    events,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(events / seconds),
    ...latencyOf(latencies),
    bytesPerEvent: Math.round(Number(bytes) / Number(count)),
  };
};

/** Bytes on disk per event: the log with its indexes, and every table of the ledger with theirs. */
const storage = async (dataSource: DataSource) => {
  await dataSource.query('VACUUM ANALYZE');
  const [row] = await dataSource.query(
    `SELECT pg_total_relation_size('ledger_events') AS log, pg_relation_size('ledger_events') AS heap,
            pg_indexes_size('ledger_events') AS indexes, (SELECT count(*) FROM ledger_events) AS count,
            (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind = 'r') AS all_tables`,
  );
  const events = Number(row.count);
  const per = (bytes: string) => Math.round(Number(bytes) / events);
  return {
    events,
    bytesPerEvent: per(row.log),
    heapBytesPerEvent: per(row.heap),
    indexBytesPerEvent: per(row.indexes),
    allTablesBytesPerEvent: per(row.all_tables),
  };
};

const main = async () => {
  const url = benchDatabaseUrl('tally_bench_ledger');
  await recreateDatabase(url);
  await migrateLedger(url);
  const dataSource = await new DataSource(ledgerDataSourceOptions(url, 16)).initialize();
  // Appends on connections of their own, as the services' ledger module sets them up.
  const pool = ledgerAppendPool(url);
  const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUuid, pool });

  log('warming up ...');
  await appendRate(store, 100, 5_000, 1);
  const append = [];
  for (const [batchSize, events, concurrency] of [
    [100, 30_000, 1],
    [100, 60_000, 4],
    [1000, 100_000, 2],
    [1000, 100_000, 4],
  ]) {
    const result = await appendRate(store, batchSize, events, concurrency);
    log(`append batch ${batchSize} x${concurrency}: ${result.eventsPerSecond} events/s`);
    append.push(result);
  }
  const batcher = new LedgerBatcher(store);
  const oneEvent = { store: [] as object[], batcher: [] as object[] };
  for (const concurrency of [1, 8]) {
    const events = concurrency === 1 ? 3_000 : 6_000;
    oneEvent.store.push(await oneEventRate((c) => store.executeOne(c), events, concurrency));
    oneEvent.batcher.push(await oneEventRate((c) => batcher.submit(c), events, concurrency));
    log(`one event per call x${concurrency}: store ${JSON.stringify(oneEvent.store.at(-1))}, batcher ${JSON.stringify(oneEvent.batcher.at(-1))}`);
  }
  const flush = await commitFlush(dataSource);
  log(`commit flush: ${flush.syncOnMs} ms (synchronous_commit off: ${flush.syncOffMs} ms)`);
  const disk = await storage(dataSource);
  log(`storage: ${disk.bytesPerEvent} bytes per event in the log (all tables: ${disk.allTablesBytesPerEvent})`);
  // Three in a row, the median reported: one replay lasts two or three seconds, and this host's
  // speed changes within seconds (the same build's single runs spread by a third).
  const verifies = [];
  for (let run = 0; run < 3; run++) {
    const report = await new LedgerReplay(dataSource).run({ swap: false });
    log(`replay (verify): ${report.eventsReplayed} events in ${report.ms} ms (identical: ${report.identical})`);
    verifies.push(report);
  }
  const verify = [...verifies].sort((a, b) => a.ms - b.ms)[1];
  const rebuild = await new LedgerReplay(dataSource).run({ swap: true });
  log(`replay (rebuild and swap): ${rebuild.eventsReplayed} events in ${rebuild.ms} ms (identical: ${rebuild.identical})`);
  const auditReport = await auditLedger(dataSource);
  log(`audit: ${auditReport.eventsChecked} events in ${auditReport.ms} ms (ok: ${auditReport.ok})`);
  await pool.end();
  await dataSource.destroy();

  const emmettUrl = benchDatabaseUrl('tally_bench_emmett');
  await recreateDatabase(emmettUrl);
  const emmett = [await emmettRate(emmettUrl, 3_000, 1), await emmettRate(emmettUrl, 6_000, 8)];
  for (const e of emmett) log(`emmett appendToStream x${e.concurrency}: ${e.eventsPerSecond} events/s`);

  const perSecond = (events: number, ms: number) => Math.round((events / ms) * 1000);
  const bestTally = Math.max(...append.map((a) => a.eventsPerSecond));
  const bestEmmett = Math.max(...emmett.map((e) => e.eventsPerSecond));
  const oneEventRatio = (concurrency: number) => {
    const rateOf = (rows: object[]) =>
      (rows as { concurrency: number; eventsPerSecond: number }[]).find((r) => r.concurrency === concurrency)?.eventsPerSecond ?? 0;
    const [tallyStore, tallyBatcher, emmettRate] = [rateOf(oneEvent.store), rateOf(oneEvent.batcher), rateOf(emmett)];
    return { tallyStore, tallyBatcher, emmett: emmettRate, batcherOverEmmett: Number((tallyBatcher / emmettRate).toFixed(2)) };
  };
  const results = {
    benchmark: 'ledger',
    command: 'npm run bench:ledger',
    machine: machine(),
    append,
    oneEventPerCall: oneEvent,
    commitFlush: flush,
    storage: disk,
    replay: {
      events: verify.eventsReplayed,
      ms: verify.ms,
      eventsPerSecond: perSecond(verify.eventsReplayed, verify.ms),
      identical: verifies.every((v) => v.identical),
      runsMs: verifies.map((v) => v.ms),
    },
    replayWithSwap: {
      events: rebuild.eventsReplayed,
      ms: rebuild.ms,
      eventsPerSecond: perSecond(rebuild.eventsReplayed, rebuild.ms),
      identical: rebuild.identical,
      swapped: rebuild.swapped,
    },
    audit: { events: auditReport.eventsChecked, ms: auditReport.ms, eventsPerSecond: perSecond(auditReport.eventsChecked, auditReport.ms), ok: auditReport.ok },
    emmett,
    ratio: {
      bestTallyAppend: bestTally,
      bestEmmettAppend: bestEmmett,
      tallyOverEmmett: Number((bestTally / bestEmmett).toFixed(2)),
      oneEventPerCall: { inFlight1: oneEventRatio(1), inFlight8: oneEventRatio(8) },
    },
    targets: { batchedAppend: 20_000, replay: 150_000, audit: 200_000, bytesPerEvent: 350, overEmmett: 3, oneEventOverEmmett: 1.5 },
  };
  log(`results: ${writeResults('ledger', results)}`);
};

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
