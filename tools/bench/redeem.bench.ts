import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand, LedgerStore, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { randomUuid } from '@tally/platform';
import { DataSource } from 'typeorm';
// undici (the library behind Node's fetch) directly: keep-alive connections and a far lighter client
// than fetch, which matters when client, service and PostgreSQL share the same few cores.
import { Agent, request } from 'undici';
import { residentOf } from './process-memory';
import { ROOT, benchDatabaseUrl, log, machine, perSecondTail, percentile, recreateDatabase, serviceNodeArgs, writeResults } from './bench-support';
import { coresOver, machineBusyPercent, machineTicks, ticksByName, ticksOf, ticksSince } from './process-cpu';

const MEMBERS = 10_000;
const POINTS_EACH = 1_000_000;
const SEED_BATCH = 1000;
const PORT = 3902;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'bench';
const WARMUP_SECONDS = 3;
const BASELINE_SECONDS = 5;
const THROUGHPUT = { workers: 64, seconds: Number(process.env.BENCH_REDEEM_THROUGHPUT_SECONDS ?? 20) };
const STEADY = { rate: 1000, seconds: Number(process.env.BENCH_REDEEM_STEADY_SECONDS ?? 30) };
const HOT = { workers: 32, seconds: Number(process.env.BENCH_REDEEM_HOT_SECONDS ?? 15), memberId: 'm-hot' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Number(n.toFixed(1));

/** CPU used so far (Linux /proc): the redeem process, every postgres process, this process, and the whole machine. */
const cpuSample = (redeemPid: number) => ({
  at: performance.now(),
  redeem: ticksOf(redeemPid),
  postgres: ticksByName('postgres'),
  bench: ticksOf(process.pid),
  machine: machineTicks(),
});
type CpuSample = ReturnType<typeof cpuSample>;
/** Cores in use over the interval, per process group (2.0 = two whole cores). */
const coresUsed = (a: CpuSample, b: CpuSample) => {
  const seconds = (b.at - a.at) / 1000;
  const cores = (ticks: number) => coresOver(ticks, seconds);
  return {
    redeem: cores(b.redeem - a.redeem),
    postgres: cores(ticksSince(a.postgres, b.postgres)),
    benchClient: cores(b.bench - a.bench),
    machineBusyPercent: machineBusyPercent(a.machine, b.machine),
  };
};

const earned = (memberId: string, i: number, now: Date): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: now.toISOString(),
  data: {
    points: POINTS_EACH,
    lotId: randomUUID(),
    expiresAt: new Date(now.getTime() + 365 * 86_400_000).toISOString(),
    reason: 'purchase',
    storeId: `s-${i % 300}`,
    orderId: `seed-o-${i}`,
    orderAmountMinor: POINTS_EACH * 100,
    tier: 'member',
    multiplier: 1,
    ruleIds: ['purchase.base'],
    day: now.toISOString().slice(0, 10),
  },
});

const seedCommand = (memberId: string, i: number, now: Date): LedgerCommand<null> => ({
  scope: 'bench-seed',
  causationId: `seed-${memberId}`,
  memberIds: [memberId],
  decide: () => ({ kind: 'append', events: [earned(memberId, i, now)], result: null }),
});

const seed = async (url: string): Promise<{ members: number; seconds: number }> => {
  const dataSource = await new DataSource(ledgerDataSourceOptions(url, 2)).initialize();
  const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUuid });
  const started = performance.now();
  const ids = [...Array.from({ length: MEMBERS }, (_, i) => `m-${i}`), HOT.memberId];
  const now = new Date();
  for (let i = 0; i < ids.length; i += SEED_BATCH) {
    await store.execute(ids.slice(i, i + SEED_BATCH).map((id, k) => seedCommand(id, i + k, now)));
  }
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM member_state WHERE available = $1`, [POINTS_EACH]);
  await dataSource.destroy();
  if (n !== ids.length) throw new Error(`seeded ${n} members with ${POINTS_EACH} points, expected ${ids.length}`);
  return { members: n, seconds: round((performance.now() - started) / 1000) };
};

const startRedeem = (databaseUrl: string, brokers: string): { child: ChildProcess; output: string[] } => {
  const child = spawn('node', [...serviceNodeArgs('REDEEM'), join(ROOT, 'dist/apps/redeem/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(PORT),
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      TALLY_API_TOKENS: `${TOKEN}=ops`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept (not echoed) so a flood of warnings cannot slow the bench's own event loop; the first lines are printed at the end.
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    if (output.length < 200) output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    else output.push('');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output };
};

const waitLive = async (child: ChildProcess, dispatcher: Agent): Promise<number> => {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redeem exited with ${child.exitCode} before it was live`);
    try {
      const res = await request(`${BASE}/health/live`, { dispatcher });
      await res.body.dump();
      if (res.statusCode === 200) return Math.round(performance.now() - started);
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) throw new Error('redeem not live after 60 s');
    await sleep(200);
  }
};

interface Tally {
  latencies: number[];
  /** [start offset ms, latency ms] of each request, kept only where the time series is reported. */
  timeline?: [number, number][];
  ok: number;
  statuses: Record<string, number>;
  networkErrors: number;
  firstErrors: string[];
}

const newTally = (): Tally => ({ latencies: [], ok: 0, statuses: {}, networkErrors: 0, firstErrors: [] });

let sequence = 0;
const redeemOnce = async (dispatcher: Agent, memberId: string, tally: Tally, since?: number): Promise<void> => {
  const body = JSON.stringify({ redemptionId: `b-${process.pid}-${sequence++}`, memberId, points: 1, storeId: 's-1' });
  const started = since ?? performance.now();
  try {
    const res = await request(`${BASE}/redemptions`, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    });
    const text = await res.body.text();
    tally.latencies.push(performance.now() - started);
    tally.timeline?.push([started, performance.now() - started]);
    if (res.statusCode >= 200 && res.statusCode < 300) tally.ok++;
    else {
      tally.statuses[res.statusCode] = (tally.statuses[res.statusCode] ?? 0) + 1;
      if (tally.firstErrors.length < 5) tally.firstErrors.push(`${res.statusCode} ${text.slice(0, 300)}`);
    }
  } catch (error) {
    tally.latencies.push(performance.now() - started);
    tally.networkErrors++;
    if (tally.firstErrors.length < 5) tally.firstErrors.push(String((error as Error).message ?? error));
  }
};

const randomMember = () => `m-${Math.floor(Math.random() * MEMBERS)}`;

const summary = (tally: Tally, seconds: number) => {
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const requests = sorted.length;
  const non2xx = Object.values(tally.statuses).reduce((a, b) => a + b, 0);
  return {
    requests,
    ok: tally.ok,
    non2xx,
    statuses: tally.statuses,
    networkErrors: tally.networkErrors,
    redemptionsPerSecond: Math.round(tally.ok / seconds),
    p50ms: round(percentile(sorted, 50)),
    p99ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    ...(tally.firstErrors.length > 0 ? { firstErrors: tally.firstErrors } : {}),
  };
};

/** Closed loop: each worker sends its next request when the previous one is answered. */
const closedLoop = async (dispatcher: Agent, workers: number, seconds: number, member: () => string) => {
  const tally = newTally();
  const perSecond: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      await redeemOnce(dispatcher, member(), tally);
      const second = Math.floor((performance.now() - started) / 1000);
      if (second < seconds) perSecond[second] = (perSecond[second] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { workers, seconds: round(elapsed), ...summary(tally, elapsed), answeredPerSecond: Array.from(perSecond, (n) => n ?? 0) };
};

/**
 * Open loop: requests leave on a fixed schedule whether or not earlier ones were answered, and
 * latency counts from the scheduled time (a send that fell behind schedule is charged for it).
 */
const openLoop = async (dispatcher: Agent, rate: number, seconds: number) => {
  const tally: Tally = { ...newTally(), timeline: [] };
  const total = rate * seconds;
  const inFlight: Promise<void>[] = [];
  let maxLagMs = 0;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total) {
      const due = started + (sent / rate) * 1000;
      if (due > now) break;
      maxLagMs = Math.max(maxLagMs, now - due);
      inFlight.push(redeemOnce(dispatcher, randomMember(), tally, due));
      sent++;
    }
    await sleep(1);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const { redemptionsPerSecond: _ignored, ...rest } = summary(tally, elapsed);
  return {
    ...rest,
    perSecond: perSecondTail(tally.timeline ?? [], started, seconds),
    rate,
    seconds,
    sent,
    sendSeconds: round(sendSeconds),
    drainedAfterSeconds: round(elapsed),
    maxSendLagMs: round(maxLagMs),
    what: 'scheduled send -> response received; random member per request, 1 point',
  };
};

const main = async () => {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const databaseUrl = benchDatabaseUrl('tally_bench_redeem');
  await recreateDatabase(databaseUrl);
  await migrateLedger(databaseUrl);
  log(`seeding ${MEMBERS} members (+ 1 hot member) with ${POINTS_EACH} points each ...`);
  const seeded = await seed(databaseUrl);
  log(`seeded ${seeded.members} members in ${seeded.seconds} s`);

  const { child, output } = startRedeem(databaseUrl, brokers);
  const dispatcher = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
  try {
    const liveAfterMs = await waitLive(child, dispatcher);
    log(`redeem live after ${liveAfterMs} ms; warming up ${WARMUP_SECONDS} s ...`);
    const warmup = await closedLoop(dispatcher, THROUGHPUT.workers, WARMUP_SECONDS, randomMember);

    log(`baseline: 1 worker, ${BASELINE_SECONDS} s, random member ...`);
    const baselineRun = await closedLoop(dispatcher, 1, BASELINE_SECONDS, randomMember);
    const { answeredPerSecond: _perSecond, ...baseline } = baselineRun;
    log(`   ${baseline.redemptionsPerSecond} redemptions/s, p50 ${baseline.p50ms} ms, p99 ${baseline.p99ms} ms`);

    log(`1. throughput: ${THROUGHPUT.workers} workers, ${THROUGHPUT.seconds} s, random member ...`);
    const pid = child.pid as number;
    let cpu = cpuSample(pid);
    const throughputRun = await closedLoop(dispatcher, THROUGHPUT.workers, THROUGHPUT.seconds, randomMember);
    const throughput = { ...throughputRun, cpuCores: coresUsed(cpu, (cpu = cpuSample(pid))) };
    log(
      `   ${throughput.redemptionsPerSecond} redemptions/s, p50 ${throughput.p50ms} ms, p99 ${throughput.p99ms} ms, non-2xx ${throughput.non2xx}, network errors ${throughput.networkErrors}, cores ${JSON.stringify(throughput.cpuCores)}`,
    );
    await sleep(2000);

    log(`2. latency: ${STEADY.rate} requests/s open loop, ${STEADY.seconds} s ...`);
    cpu = cpuSample(pid);
    const latencyRun = await openLoop(dispatcher, STEADY.rate, STEADY.seconds);
    const latency = { ...latencyRun, cpuCores: coresUsed(cpu, (cpu = cpuSample(pid))) };
    log(
      `   p50 ${latency.p50ms} ms, p99 ${latency.p99ms} ms, max ${latency.maxMs} ms, non-2xx ${latency.non2xx}, network errors ${latency.networkErrors}, drained after ${latency.drainedAfterSeconds} s, cores ${JSON.stringify(latency.cpuCores)}`,
    );
    await sleep(2000);

    log(`3. hot member: ${HOT.workers} workers, ${HOT.seconds} s, all on ${HOT.memberId} ...`);
    cpu = cpuSample(pid);
    const hotRun = await closedLoop(dispatcher, HOT.workers, HOT.seconds, () => HOT.memberId);
    const hot = { ...hotRun, cpuCores: coresUsed(cpu, cpuSample(pid)) };
    log(
      `   ${hot.redemptionsPerSecond} redemptions/s, p50 ${hot.p50ms} ms, p99 ${hot.p99ms} ms, non-2xx ${hot.non2xx}, network errors ${hot.networkErrors}, cores ${JSON.stringify(hot.cpuCores)}`,
    );

    const check = await new DataSource(ledgerDataSourceOptions(databaseUrl, 1)).initialize();
    const [counts] = await check.query(
      `SELECT (SELECT count(*)::int FROM ledger_events WHERE type = 'points.redeemed') AS redeemed,
              (SELECT octet_length(state::text) FROM member_snapshots WHERE member_id = $1) AS hot_state_bytes,
              (SELECT available FROM member_state WHERE member_id = $1)::bigint AS hot_available`,
      [HOT.memberId],
    );
    await check.destroy();
    const okTotal = warmup.ok + baseline.ok + throughput.ok + latency.ok + hot.ok;
    log(`ledger: ${counts.redeemed} points.redeemed events (2xx answers: ${okTotal}); hot member state ${counts.hot_state_bytes} bytes`);

    const results = {
      benchmark: 'redeem',
      command: 'npm run bench:redeem',
      machine: machine(),
      setup: {
        members: MEMBERS,
        pointsEach: POINTS_EACH,
        seed: { ...seeded, via: `LedgerStore.execute, ${SEED_BATCH} commands per call` },
        service: 'one redeem process (default pool of 10 connections, TALLY_HOLD_EXPIRY_INTERVAL_MS default 5000), LOG_LEVEL=warn, ops token',
        client: 'undici request() over a keep-alive Agent, in the bench process on the same machine',
        request: 'POST /redemptions {redemptionId: new each time, memberId, points: 1, storeId}',
        warmup: { seconds: WARMUP_SECONDS, workers: THROUGHPUT.workers, redemptionsPerSecond: warmup.redemptionsPerSecond },
      },
      baselineOneWorker: baseline,
      throughput,
      latency,
      hotMember: { memberId: HOT.memberId, ...hot, stateBytesAtEnd: Number(counts.hot_state_bytes) },
      ledger: { redeemedEvents: Number(counts.redeemed), answered2xx: okTotal },
      memory: { what: 'resident memory (VmRSS) of the redeem process at the end and its peak (VmHWM)', redeem: residentOf(child.pid) },
      targets: { throughput: 3000, p99msAt1k: 30, hotMember: 1000, residentMiB: 150 },
    };
    log(`results: ${writeResults('redeem', results)}`);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dispatcher.close();
    const lines = output.filter(Boolean);
    if (lines.length > 0) log(`redeem output (${output.length} lines, first ${Math.min(lines.length, 10)}):\n${lines.slice(0, 10).join('\n')}`);
  }
};

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
