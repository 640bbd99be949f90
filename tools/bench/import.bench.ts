import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { migrateLedger } from '@tally/ledger';
import { Client } from 'pg';
import { ROOT, benchDatabaseUrl, log, machine, recreateDatabase, startLedgerApp, writeResults } from './bench-support';
import { residentOf } from './process-memory';

// Opening balances: `tally import` of a CSV of ROWS members (one to three lots each, every tenth
// with a tier) into an empty ledger through the ledger app, as an ops team would run it. Reports
// the upload (staging) and the import job apart, rows and events a second, and the ledger app's
// resident memory. Smaller runs: IMPORT_BENCH_ROWS=100000 npm run bench:import
// A CPU profile of the ledger app: BENCH_LEDGER_PROFILE_DIR=/tmp/prof (see serviceNodeArgs).
const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? 1_000_000);
const PORT = Number(process.env.IMPORT_BENCH_PORT ?? 3470);
const DATABASE = process.env.IMPORT_BENCH_DATABASE ?? 'tally_bench_import';
const TOKEN = 'bench-import-ops';
const OUT = join(ROOT, '.tally/bench-import');

/** An opening-balance CSV of `rows` valid members: one to three lots each expiring in 2099, a tier on every tenth row. */
const writeFile = async (file: string, rows: number): Promise<void> => {
  const out = createWriteStream(file);
  const tiers = ['silver', 'gold', 'diamond'];
  let buffer = 'memberId,points,lots,tier\n';
  for (let i = 0; i < rows; i++) {
    const lots: string[] = [];
    let points = 0;
    for (let l = 0; l <= i % 3; l++) {
      const p = 10 + ((i * 7 + l * 13) % 990);
      points += p;
      lots.push(`${p}@2099-${String(1 + ((i + l) % 12)).padStart(2, '0')}-01`);
    }
    buffer += `imp-${i},${points},${lots.join(';')},${i % 10 === 0 ? tiers[i % 3] : ''}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.end(buffer);
  await finished(out);
};

const startLedger = (url: string): Promise<ChildProcess> =>
  startLedgerApp({ databaseUrl: url, port: PORT, token: TOKEN, namespace: `bench-import-${Date.now()}.` });

/** `tally import FILE --json` to its end, sampling the ledger app's resident memory twice a second. */
const runImport = (file: string, ledger: ChildProcess) =>
  new Promise<{ seconds: number; summary: Record<string, unknown>; ledgerPeakMb: number }>((resolve, reject) => {
    const started = performance.now();
    const cli = spawn('node', [join(ROOT, 'tools/cli/bin/tally.cjs'), '--json', 'import', file, '--results', join(OUT, 'results.jsonl')], {
      env: { ...process.env, TALLY_URL: `http://127.0.0.1:${PORT}`, TALLY_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let ledgerPeakMb = 0;
    const sampler = setInterval(() => (ledgerPeakMb = Math.max(ledgerPeakMb, residentOf(ledger.pid)?.residentMiB ?? 0)), 500);
    cli.stdout.on('data', (chunk) => (out += chunk));
    cli.on('error', reject);
    cli.on('exit', (code) => {
      clearInterval(sampler);
      // Exit 1 means refused rows, which this file has none of.
      if (code !== 0) return reject(new Error(`tally import exited with ${code}: ${out.slice(0, 2000)}`));
      resolve({ seconds: (performance.now() - started) / 1000, summary: JSON.parse(out) as Record<string, unknown>, ledgerPeakMb });
    });
  });

const main = async () => {
  const url = benchDatabaseUrl(DATABASE);
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, 'opening.csv');
  log(`writing ${ROWS} opening-balance rows ...`);
  await writeFile(file, ROWS);
  await recreateDatabase(url);
  await migrateLedger(url);
  const ledger = await startLedger(url);
  try {
    const calibration = machine();
    log(`importing ${ROWS} rows through the ledger app ...`);
    const started = Date.now();
    const run = await runImport(file, ledger);
    const sql = new Client({ connectionString: url });
    await sql.connect();
    const [job] = (
      await sql.query<{ created_at: Date; started_at: Date; finished_at: Date }>(`SELECT created_at, started_at, finished_at FROM ops_jobs WHERE id = $1`, [
        run.summary.jobId,
      ])
    ).rows;
    const [{ events }] = (await sql.query<{ events: string }>(`SELECT count(*) AS events FROM ledger_events`)).rows;
    await sql.end();
    const importSeconds = (job.finished_at.getTime() - job.started_at.getTime()) / 1000;
    const uploadSeconds = (job.created_at.getTime() - started) / 1000;
    const results = {
      benchmark: 'import',
      command: `IMPORT_BENCH_ROWS=${ROWS} npm run bench:import`,
      machine: calibration,
      loadAverage1mAfter: machine().loadAverage1m,
      rows: ROWS,
      events: Number(events),
      applied: run.summary.applied,
      refused: run.summary.refused,
      upload: { seconds: Number(uploadSeconds.toFixed(1)), rowsPerSecond: Math.round(ROWS / uploadSeconds) },
      import: {
        seconds: Number(importSeconds.toFixed(1)),
        rowsPerSecond: Math.round(ROWS / importSeconds),
        eventsPerSecond: Math.round(Number(events) / importSeconds),
      },
      wholeCommand: { seconds: Number(run.seconds.toFixed(1)), rowsPerSecond: Math.round(ROWS / run.seconds) },
      ledgerRssMb: { peakSampled: run.ledgerPeakMb, highWater: residentOf(ledger.pid)?.peakResidentMiB },
    };
    log(JSON.stringify({ upload: results.upload, import: results.import, ledgerRssMb: results.ledgerRssMb }));
    log(`results in ${writeResults(ROWS === 1_000_000 ? 'import' : `import-${ROWS}`, results)}`);
  } finally {
    ledger.kill('SIGTERM');
    rmSync(OUT, { recursive: true, force: true });
  }
};

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
