import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand, LedgerStore, ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { randomUuid } from '@tally/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ROOT, benchDatabaseUrl, log, machine, recreateDatabase, startLedgerApp, writeResults } from './bench-support';

// Exports an auditor can verify: `tally export` of a whole ledger of EVENTS events over MEMBERS
// members from the ledger app, then `tally verify` of the file offline, each timed, with the
// resident memory of the ledger app and of the CLI. Smaller runs: EXPORT_BENCH_EVENTS=100000 npm run bench:export
// EXPORT_BENCH_REUSE=1 exports the ledger the last run seeded again.
const EVENTS = Number(process.env.EXPORT_BENCH_EVENTS ?? 1_000_000);
const MEMBERS = Number(process.env.EXPORT_BENCH_MEMBERS ?? 100_000);
const REUSE = process.env.EXPORT_BENCH_REUSE === '1';
const PORT = Number(process.env.EXPORT_BENCH_PORT ?? 3460);
const TOKEN = 'bench-export-ops';
const OUT = join(ROOT, '.tally/bench-export');

const command = (i: number): LedgerCommand<null> => {
  const memberId = `m-${i % MEMBERS}`;
  const event: NewLedgerEvent = {
    type: 'points.earned',
    memberId,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    data: {
      points: 10 + (i % 90),
      lotId: randomUuid(),
      expiresAt: '2027-12-31T00:00:00.000Z',
      reason: 'purchase',
      tier: 'member',
      multiplier: 1,
      ruleIds: ['base'],
      storeId: `s-${i % 50}`,
    },
  };
  return { scope: 'export-bench', causationId: `e-${i}`, memberIds: [memberId], decide: () => ({ kind: 'append', result: null, events: [event] }) };
};

/** The ledger filled through the real append path, two appenders at a time. */
const seed = async (url: string): Promise<number> => {
  await recreateDatabase(url);
  await migrateLedger(url);
  const dataSource = await new DataSource(ledgerDataSourceOptions(url)).initialize();
  const pool = ledgerAppendPool(url);
  const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUuid, pool });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const from = next;
      next = Math.min(EVENTS, next + 1000);
      await store.execute(Array.from({ length: next - from }, (_, k) => command(from + k)));
      if (next % 100_000 < 1000) log(`  ${next} events appended`);
    }
  };
  await Promise.all([worker(), worker()]);
  // The relay would publish the whole seeded log to Kafka while the export runs; the bench
  // measures the export alone.
  await dataSource.query('DELETE FROM outbox');
  await pool.end();
  await dataSource.destroy();
  return (performance.now() - started) / 1000;
};

const rssMb = (pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number => {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : 0;
  } catch {
    return 0;
  }
};

/** Runs the CLI to the end, sampling its resident memory and the ledger app's twice a second. */
const runCli = (args: string[], ledger: ChildProcess) =>
  new Promise<{ seconds: number; json: Record<string, unknown>; cliPeakMb: number; ledgerPeakMb: number }>((resolve, reject) => {
    const started = performance.now();
    const cli = spawn('node', [join(ROOT, 'tools/cli/bin/tally.cjs'), '--json', ...args], {
      env: { ...process.env, TALLY_URL: `http://127.0.0.1:${PORT}`, TALLY_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let cliPeakMb = 0;
    let ledgerPeakMb = 0;
    const sampler = setInterval(() => {
      cliPeakMb = Math.max(cliPeakMb, rssMb(cli.pid));
      ledgerPeakMb = Math.max(ledgerPeakMb, rssMb(ledger.pid));
    }, 500);
    cli.stdout.on('data', (chunk) => (out += chunk));
    cli.on('error', reject);
    cli.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`tally ${args.join(' ')} exited with ${code}: ${out.slice(0, 2000)}`));
      resolve({ seconds: (performance.now() - started) / 1000, json: JSON.parse(out) as Record<string, unknown>, cliPeakMb, ledgerPeakMb });
    });
  });

const startLedger = (url: string): Promise<ChildProcess> =>
  startLedgerApp({ databaseUrl: url, port: PORT, token: TOKEN, namespace: `bench-export-${Date.now()}.` });

const main = async () => {
  const url = benchDatabaseUrl('tally_bench_export');
  let seedSeconds = 0;
  if (!REUSE) {
    log(`seeding ${EVENTS} events over ${MEMBERS} members through the ledger's append ...`);
    seedSeconds = await seed(url);
    log(`seeded in ${seedSeconds.toFixed(1)} s`);
  }
  const sql = new Client({ connectionString: url });
  await sql.connect();
  const { rows } = await sql.query<{ n: string; members: string }>('SELECT count(*) AS n, count(DISTINCT member_id) AS members FROM ledger_events');
  await sql.end();
  const ledger = await startLedger(url);
  try {
    rmSync(OUT, { recursive: true, force: true });
    const ledgerBeforeMb = rssMb(ledger.pid);
    log(`exporting ${rows[0].n} events as JSON Lines ...`);
    const exported = await runCli(['export', '--out', OUT], ledger);
    const file = join(OUT, 'events.jsonl');
    const events = Number(exported.json.events);
    log(`exported ${events} events in ${exported.seconds.toFixed(1)} s; verifying offline ...`);
    const verified = await runCli(['verify', file], ledger);
    const results = {
      benchmark: 'export',
      command: `EXPORT_BENCH_EVENTS=${EVENTS} EXPORT_BENCH_MEMBERS=${MEMBERS} npm run bench:export`,
      machine: machine(),
      events,
      members: Number(rows[0].members),
      seedSeconds: Number(seedSeconds.toFixed(1)),
      export: {
        seconds: Number(exported.seconds.toFixed(1)),
        eventsPerSecond: Math.round(events / exported.seconds),
        fileMb: Math.round(statSync(file).size / 2 ** 20),
        chainBreaks: exported.json.chainBreaks,
        ledgerRssMb: { before: ledgerBeforeMb, peak: exported.ledgerPeakMb, highWater: rssMb(ledger.pid, 'VmHWM') },
        cliPeakRssMb: exported.cliPeakMb,
      },
      verify: {
        seconds: Number(verified.seconds.toFixed(1)),
        eventsPerSecond: Math.round(events / verified.seconds),
        ok: verified.json.ok,
        cliPeakRssMb: verified.cliPeakMb,
      },
    };
    log(JSON.stringify({ export: results.export, verify: results.verify }));
    log(`results in ${writeResults(EVENTS === 1_000_000 ? 'export' : `export-${EVENTS}`, results)}`);
  } finally {
    ledger.kill('SIGTERM');
    rmSync(OUT, { recursive: true, force: true });
  }
};

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
