// Branch sync throughput: uploads of 10,000 inputs to POST /ingest/batch on one earn process,
// plain and gzip, timed to each 200 (inputs handed to Kafka), then until the consumer has applied all.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { migrateLedger } from '@tally/ledger';
import { Client } from 'pg';
import { residentOf } from './process-memory';
import { ROOT, benchDatabaseUrl, log, machine, recreateDatabase, serviceNodeArgs, writeResults } from './bench-support';

const BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? 6);
const PER_BATCH = 10_000;
const MEMBERS = 20_000;
const PORT = Number(process.env.BENCH_INGEST_PORT ?? 3601);
const TOKEN = 'bench-ingest-store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const batchBody = (batch: number) => {
  const inputs = Array.from({ length: PER_BATCH }, (_, j) => {
    const i = batch * PER_BATCH + j;
    return {
      eventId: `br-${i}`,
      type: 'purchase.completed',
      occurredAt: '2026-11-20T10:15:00+08:00',
      memberId: `m-${i % MEMBERS}`,
      storeId: 'sh-07',
      channel: 'store',
      orderId: `br-o-${i}`,
      amountMinor: 1000 + (i % 50_000),
      currency: 'CNY',
    };
  });
  return Buffer.from(JSON.stringify({ inputs }));
};

const upload = async (body: Buffer, gzip: boolean): Promise<{ ms: number; accepted: number }> => {
  const payload = gzip ? gzipSync(body) : body;
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${PORT}/ingest/batch`, {
    method: 'POST',
    body: payload,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  });
  const answer = (await res.json()) as { results: { status: string }[] };
  if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  return { ms: performance.now() - started, accepted: answer.results.filter((r) => r.status === 'accepted').length };
};

const waitReady = async () => {
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(500);
  }
  throw new Error('earn did not become ready');
};

const main = async () => {
  const databaseUrl = benchDatabaseUrl('tally_bench_ingest');
  await recreateDatabase(databaseUrl);
  await migrateLedger(databaseUrl);
  const namespace = `bench-ingest-${Date.now()}.`;
  const child = spawn('node', [...serviceNodeArgs('EARN'), join(ROOT, 'dist/apps/earn/src/main.js')], {
    env: {
      ...process.env,
      TALLY_TOPIC_NAMESPACE: namespace,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      PORT: String(PORT),
      LOG_LEVEL: 'warn',
      TALLY_API_TOKENS: `${TOKEN}=store:sh-07`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const sql = new Client({ connectionString: databaseUrl });
  try {
    await waitReady();
    await sql.connect();
    const bodies = Array.from({ length: BATCHES }, (_, b) => batchBody(b));
    const started = performance.now();
    const uploads: { gzip: boolean; ms: number; inputsPerSecond: number }[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const gzip = b % 2 === 1;
      const { ms, accepted } = await upload(bodies[b], gzip);
      if (accepted !== PER_BATCH) throw new Error(`batch ${b}: ${accepted} accepted`);
      uploads.push({ gzip, ms: Math.round(ms), inputsPerSecond: Math.round(PER_BATCH / (ms / 1000)) });
      log(`batch ${b} (${gzip ? 'gzip' : 'plain'}): ${Math.round(ms)} ms, ${Math.round(PER_BATCH / (ms / 1000))} inputs/s`);
    }
    const uploadedMs = performance.now() - started;
    const total = BATCHES * PER_BATCH;
    for (;;) {
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM causations`);
      if (rows[0].n >= total) break;
      await sleep(200);
    }
    const appliedMs = performance.now() - started;
    const retryStarted = performance.now();
    const retry = await upload(bodies[0], false);
    const results = {
      machine: machine(),
      batches: BATCHES,
      inputsPerBatch: PER_BATCH,
      uploads,
      uploadInputsPerSecond: Math.round(total / (uploadedMs / 1000)),
      appliedInputsPerSecond: Math.round(total / (appliedMs / 1000)),
      retriedBatchOfDuplicates: { ms: Math.round(performance.now() - retryStarted), accepted: retry.accepted },
      memory: { what: 'resident memory (VmRSS) of the earn process at the end and its peak (VmHWM)', earn: residentOf(child.pid) },
    };
    log(
      JSON.stringify({
        uploadInputsPerSecond: results.uploadInputsPerSecond,
        appliedInputsPerSecond: results.appliedInputsPerSecond,
        retriedBatchOfDuplicates: results.retriedBatchOfDuplicates,
      }),
    );
    log(`results in ${writeResults('ingest', results)}`);
  } finally {
    await sql.end().catch(() => undefined);
    child.kill('SIGTERM');
  }
};

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
