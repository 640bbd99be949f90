import { ChildProcess, execSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { residentOf } from './process-memory';

export const ROOT = join(__dirname, '../../..');

/**
 * A fixed amount of single-threaded work, timed: this machine's speed varies with its host (the
 * same build has run twice as slow an hour later), so results are comparable only beside it.
 * Lower is faster; it is the median of five runs of hashing, JSON and object churn.
 */
const calibrationMs = (): number => {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(1 << 16, r);
    for (let i = 0; i < 256; i++) hash.update(chunk);
    hash.digest();
    let text = '';
    for (let i = 0; i < 20_000; i++)
      text = JSON.stringify({ i, lots: { [`l${i}`]: { points: i, expiresAt: '2027-01-01T00:00:00.000Z' } }, text: text.slice(0, 20) });
    JSON.parse(text);
    runs.push(performance.now() - started);
  }
  return Number(runs.sort((a, b) => a - b)[2].toFixed(1));
};

/** What else the machine was doing: numbers are only comparable with this beside them. */
export const machine = () => ({
  calibrationMs: calibrationMs(),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverage1m: Number(loadavg()[0].toFixed(2)),
  node: process.version,
  /** The flags the bench process itself ran with (services it starts get their own). */
  benchNodeFlags: process.execArgv,
  postgres: (() => {
    try {
      return execSync('psql -V', { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })(),
  at: new Date().toISOString(),
});

/** Writes a bench's results with the bench process's own resident memory (the service, for benches that run it in process). */
export const writeResults = (name: string, results: object): string => {
  const dir = join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ ...results, benchProcessMemory: residentOf('self') }, null, 2)}\n`);
  return file;
};

export const benchDatabaseUrl = (name: string): string => {
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/${name}`;
  return base.toString();
};

export const recreateDatabase = async (url: string): Promise<void> => {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
};

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export const log = (line: string) => process.stdout.write(`${line}\n`);

/** p99 and the count over 30 ms per second of sending: shows whether the tail is spread out or a few stalls. */
export const perSecondTail = (timeline: [number, number][], started: number, seconds: number) => {
  const buckets = Array.from({ length: seconds }, () => [] as number[]);
  for (const [at, ms] of timeline) buckets[Math.min(seconds - 1, Math.floor((at - started) / 1000))]?.push(ms);
  return buckets.map((b) => {
    const sorted = b.sort((x, y) => x - y);
    return { p99ms: Number(percentile(sorted, 99).toFixed(1)), over30ms: sorted.filter((ms) => ms > 30).length };
  });
};

/**
 * Node flags for the service a bench starts: those `npm start` runs it with
 * (tools/infra/service-node-flags.json), then `BENCH_<NAME>_NODE_ARGS` as given (e.g. --trace-gc;
 * a later flag wins), and a CPU profile into `BENCH_<NAME>_PROFILE_DIR` when that is set.
 */
export const serviceNodeArgs = (name: 'EARN' | 'REDEEM' | 'LEDGER'): string[] => {
  const profileDir = process.env[`BENCH_${name}_PROFILE_DIR`];
  const flags = JSON.parse(readFileSync(join(ROOT, 'tools/infra/service-node-flags.json'), 'utf8')) as Record<string, string[]>;
  return [
    ...flags.every,
    ...(flags[name.toLowerCase()] ?? []),
    ...(process.env[`BENCH_${name}_NODE_ARGS`]?.split(' ').filter(Boolean) ?? []),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
};

/** The built ledger app as its own process on `port`, with one ops token; resolves once it answers /health (killed if it never does). */
export const startLedgerApp = async (options: { databaseUrl: string; port: number; token: string; namespace: string }): Promise<ChildProcess> => {
  const child = spawn('node', [...serviceNodeArgs('LEDGER'), join(ROOT, 'dist/apps/ledger/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(options.port),
      DATABASE_URL: options.databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      TALLY_TOPIC_NAMESPACE: options.namespace,
      TALLY_API_TOKENS: `${options.token}=ops`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 240; i++) {
    const ready = await fetch(`http://127.0.0.1:${options.port}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGKILL');
  throw new Error('the ledger app did not become ready');
};
