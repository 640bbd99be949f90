import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { INPUT_TOPICS, Topics } from '@tally/contracts';
import { migrateLedger } from '@tally/ledger';
import { createKafka, ensureTopics } from '@tally/messaging';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { Client, Notification } from 'pg';
import { ROOT, benchDatabaseUrl, log, machine, perSecondTail, percentile, recreateDatabase, serviceNodeArgs, writeResults } from './bench-support';
import { measureLoadCurve, writeLoadCurveChart } from './load-curve';
import { residentOf } from './process-memory';
import { TICKS_PER_SECOND, coresOver, machineBusyPercent, machineTicks, ticksByName, ticksOf, ticksSince } from './process-cpu';

const EVENTS = Number(process.env.BENCH_EARN_EVENTS ?? 1_000_000);
const MEMBERS = 100_000;
const PARTITIONS = 8;
/** Replicas of each topic: 3 on deploy/kafka/cluster.sh's cluster (tools/bench/earn-brokers.mjs). */
const REPLICATION_FACTOR = Number(process.env.TALLY_TOPIC_REPLICATION_FACTOR ?? 1);
/** What the order pipeline waits for: every in-sync replica on a replicated cluster, the leader otherwise. */
const PUBLISH_ACKS = REPLICATION_FACTOR > 1 ? -1 : 1;
const STEADY_RATE = 1000;
const STEADY_SECONDS = Number(process.env.BENCH_EARN_STEADY_SECONDS ?? 30);
const WARMUP_SECONDS = 10;
/** Seconds of each step of the load curve after the backlog (BENCH_EARN_LOAD_CURVE_SECONDS; 0: no curve). */
const LOAD_CURVE_SECONDS = Number(process.env.BENCH_EARN_LOAD_CURVE_SECONDS ?? 20);
const GROUP = 'tally-earn';
/** Port and database of the bench's earn: set them to run beside another stack or bench. */
const EARN_PORT = Number(process.env.BENCH_EARN_PORT ?? 3901);
/** Earn processes in the group for the backlog and the steady rate after it (BENCH_EARN_INSTANCES); the no-backlog phase always runs one. */
const INSTANCES = Number(process.env.BENCH_EARN_INSTANCES ?? 1);

const purchase = (i: number, prefix: string) =>
  JSON.stringify({
    eventId: `${prefix}-${i}`,
    type: 'purchase.completed',
    occurredAt: '2026-11-20T10:15:00+08:00',
    memberId: `m-${i % MEMBERS}`,
    storeId: `s-${i % 300}`,
    channel: 'store',
    orderId: `${prefix}-o-${i}`,
    amountMinor: 1000 + (i % 50_000),
    currency: 'CNY',
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const committedAll = async (kafka: Kafka, namespace: string): Promise<boolean> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topic = `${namespace}${Topics.purchases.name}`;
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: `${namespace}${GROUP}`, topics: [topic] });
    return ends.every((end) => committed.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
  } catch (error) {
    // A fresh broker creates its offsets topic on first use: until then the group has no coordinator.
    if ((error as { retriable?: boolean }).retriable) return false;
    throw error;
  } finally {
    await admin.disconnect();
  }
};

/**
 * Each run has topics of its own (a fresh namespace); left behind, a broker that served a few
 * dozen runs carries thousands of partitions and answers the next run's consumer slower.
 */
const dropTopics = async (kafka: Kafka, namespace: string, topics: readonly { name: string }[]): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: topics.map((t) => `${namespace}${t.name}`) });
  } finally {
    await admin.disconnect();
  }
};

/** The earn processes' Prometheus texts. */
const scrapeEarn = (instances: number): Promise<string[]> =>
  Promise.all(Array.from({ length: instances }, async (_, i) => (await fetch(`http://127.0.0.1:${EARN_PORT + i}/metrics`)).text()));

/** A sample's value in a Prometheus text: the line of that name with every one of these labels, NaN when none. */
const sampleOf = (text: string, name: string, labels: Record<string, string> = {}): number => {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  for (const line of text.split('\n')) {
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    if (series !== name && !series.startsWith(`${name}{`)) continue;
    const inside = series.slice(name.length + 1, -1).split(',');
    if (wanted.every((pair) => inside.includes(pair))) return Number(line.slice(space + 1));
  }
  return NaN;
};

/** The earn process's own account of its batches (its Prometheus histograms), over the whole run. */
const earnBatches = async (instances = 1) => {
  const texts = await scrapeEarn(instances);
  const value = (name: string) => texts.reduce((sum, text) => sum + sampleOf(text, name), 0);
  const count = value('tally_earn_batch_messages_count');
  return {
    batches: count,
    meanMessages: Math.round(value('tally_earn_batch_messages_sum') / count),
    meanMs: Number(((value('tally_earn_batch_seconds_sum') / count) * 1000).toFixed(1)),
    residentMiB: Math.round(value('process_resident_memory_bytes') / 2 ** 20),
    heapUsedMiB: Math.round(value('nodejs_heap_size_used_bytes') / 2 ** 20),
  };
};

/** Collections so far by kind, and the event loop's worst delay since the previous scrape (prom-client restarts it at each). */
const earnRuntime = async (instances: number) => {
  const texts = await scrapeEarn(instances);
  const total = (name: string, labels: Record<string, string>) => texts.reduce((sum, text) => sum + (sampleOf(text, name, labels) || 0), 0);
  const kind = (k: string) => ({
    count: total('nodejs_gc_duration_seconds_count', { kind: k }),
    seconds: total('nodejs_gc_duration_seconds_sum', { kind: k }),
    over100ms: total('nodejs_gc_duration_seconds_count', { kind: k }) - total('nodejs_gc_duration_seconds_bucket', { le: '0.1', kind: k }),
  });
  return {
    minor: kind('minor'),
    major: kind('major'),
    eventLoopDelayMaxMs: Math.max(...texts.map((t) => sampleOf(t, 'nodejs_eventloop_lag_max_seconds') * 1000)),
  };
};

/**
 * What went on in the earn processes and in PostgreSQL between two readings: collections (count,
 * time, pauses over 100 ms), the event loop's worst delay, checkpoints and pages the backends had
 * to write themselves. A stall of the process shows in its loop's delay; one of the database or the
 * disk (a checkpoint's writes) does not.
 */
const phaseRuntime = async (instances: number, sql: Client) => {
  const database = async () => {
    try {
      const { rows } = await sql.query('SELECT checkpoints_timed + checkpoints_req AS checkpoints, buffers_backend FROM pg_stat_bgwriter');
      return { checkpoints: Number(rows[0].checkpoints), backendWrites: Number(rows[0].buffers_backend) };
    } catch {
      // PostgreSQL 17 moved the checkpoint counts out of this view: the rest still tells.
      return { checkpoints: NaN, backendWrites: NaN };
    }
  };
  const [runtime, db] = await Promise.all([earnRuntime(instances), database()]);
  return async () => {
    const [after, dbAfter] = await Promise.all([earnRuntime(instances), database()]);
    const gc = (k: 'minor' | 'major') => ({
      count: after[k].count - runtime[k].count,
      ms: Math.round((after[k].seconds - runtime[k].seconds) * 1000),
      over100ms: after[k].over100ms - runtime[k].over100ms,
    });
    return {
      gcMinor: gc('minor'),
      gcMajor: gc('major'),
      eventLoopDelayMaxMs: Math.round(after.eventLoopDelayMaxMs),
      postgresCheckpoints: dbAfter.checkpoints - db.checkpoints,
      postgresBackendWrites: dbAfter.backendWrites - db.backendWrites,
    };
  };
};

/**
 * Member states earn keeps folded (TALLY_STATE_CACHE_SIZE): sized to the bench's working set, as
 * an operator sizes it to the members active at once; the cache keeps two generations of half
 * the size each, so twice the members keeps them all.
 */
const STATE_CACHE_SIZE = process.env.TALLY_STATE_CACHE_SIZE ?? String(2 * MEMBERS);

/** What `memory` in the results holds: each earn process's resident memory at the end of each phase. */
const EARN_MEMORY = {
  what: 'resident memory (VmRSS) of each earn process and its peak so far (VmHWM): after the no-backlog phase, once the backlog is committed, at the end of the steady load after it',
};

/** An earn process, killed with the bench if the bench dies first (it would hold the port for the next run). */
const startEarn = (namespace: string, databaseUrl: string, brokers: string, port = EARN_PORT): ChildProcess => {
  const child = spawn('node', [...serviceNodeArgs('EARN'), join(ROOT, 'dist/apps/earn/src/main.js')], {
    env: {
      ...process.env,
      TALLY_TOPIC_NAMESPACE: namespace,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      TALLY_STATE_CACHE_SIZE: STATE_CACHE_SIZE,
    },
    stdio: 'inherit',
  });
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  return child;
};

const stopEarn = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
};

/** The log's last position (0 when empty): one look down its primary key. */
const lastPosition = async (sql: Client): Promise<string> =>
  (await sql.query('SELECT coalesce(max(position), 0)::text AS last FROM ledger_events')).rows[0].last;

/**
 * Whether anything was appended after that position (polled every 50 ms). Ordered by the primary
 * key so that it is read from there: on the bench's never analyzed log, `LIMIT 1` alone was
 * planned as a sequential scan, expected to stop early, that read the whole log on every poll.
 */
const appendedAfter = async (sql: Client, position: string): Promise<boolean> =>
  (await sql.query('SELECT 1 FROM ledger_events WHERE position > $1 ORDER BY position LIMIT 1', [position])).rowCount === 1;

/** CPU used so far (Linux /proc) by the earn processes, PostgreSQL, the broker (the machine's java processes) and the machine. */
const cpuSample = (earn: ChildProcess[]) => ({
  at: performance.now(),
  earn: earn.reduce((sum, child) => sum + (child.pid === undefined ? 0 : ticksOf(child.pid)), 0),
  postgres: ticksByName('postgres'),
  broker: ticksByName('java'),
  machine: machineTicks(),
});

/**
 * Microseconds of CPU each process group spent a purchase, and the cores it kept busy: where the
 * throughput's limit lies, and a figure that moves less with this host's speed than events/s do.
 */
const cpuPerEvent = (a: ReturnType<typeof cpuSample>, b: ReturnType<typeof cpuSample>, events: number) => {
  const seconds = (b.at - a.at) / 1000;
  const of = (ticks: number) => ({ microsPerEvent: Math.round((ticks / TICKS_PER_SECOND / events) * 1e6), cores: coresOver(ticks, seconds) });
  return {
    earn: of(b.earn - a.earn),
    postgres: of(ticksSince(a.postgres, b.postgres)),
    broker: of(ticksSince(a.broker, b.broker)),
    machineBusyPercent: machineBusyPercent(a.machine, b.machine),
  };
};

/** Whether a purchase is appended: its causation, by primary key. */
const isAppended = async (sql: Client, eventId: string): Promise<boolean> =>
  (await sql.query('SELECT 1 FROM causations WHERE scope = $1 AND causation_id = $2', [Topics.purchases.name, eventId])).rowCount === 1;

/** Until a probe purchase is appended: the consumer has joined its group and is assigned the partitions. */
const waitConsuming = async (producer: Producer, sql: Client, topic: string): Promise<void> => {
  const until = Date.now() + 120_000;
  for (let n = 0; Date.now() < until; n++) {
    await producer.send({ topic, acks: PUBLISH_ACKS, messages: [{ key: `m-${n % MEMBERS}`, value: purchase(MEMBERS + n, 'probe') }] });
    await sleep(500);
    if (await isAppended(sql, `probe-${MEMBERS + n}`)) return;
  }
  throw new Error('earn did not consume a probe purchase within 120 s');
};

/**
 * A trigger of the bench's own, on its own database, present only while latency is measured: it
 * names each append's purchases in notifications, which PostgreSQL delivers when the append's
 * transaction commits, so each purchase is timed to the moment it became visible to readers.
 * (Polling for the ids instead cost 3.5-4 ms of PostgreSQL every 9-10 ms, a third of a core, and
 * saw a commit up to a poll period late.) Notifications carry at most 8,000 bytes: 400 ids each.
 */
const LISTEN_CHANNEL = 'bench_appended';
const NOTIFY_TRIGGER = [
  `CREATE OR REPLACE FUNCTION bench_appended() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE ids text[];
   BEGIN
     SELECT array_agg(causation_id) INTO ids FROM appended;
     FOR i IN 1 .. coalesce(array_length(ids, 1), 0) BY 400 LOOP
       PERFORM pg_notify('${LISTEN_CHANNEL}', array_to_string(ids[i : i + 399], ','));
     END LOOP;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER bench_appended AFTER INSERT ON causations REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION bench_appended()`,
];

/**
 * Publishes at STEADY_RATE for `seconds` and times each purchase from its send to the commit of
 * its append (see NOTIFY_TRIGGER).
 */
const steadyLatency = async (producer: Producer, sql: Client, topic: string, prefix: string, seconds = STEADY_SECONDS, rate = STEADY_RATE) => {
  const sentAt = new Map<string, number>();
  const seenAt = new Map<string, number>();
  const onNotification = (message: Notification) => {
    const now = performance.now();
    for (const id of message.payload?.split(',') ?? []) if (sentAt.has(id) && !seenAt.has(id)) seenAt.set(id, now);
  };
  for (const statement of NOTIFY_TRIGGER) await sql.query(statement);
  sql.on('notification', onNotification);
  await sql.query(`LISTEN ${LISTEN_CHANNEL}`);
  const started = performance.now();
  // Sends of at most a hundred a second, as many purchases each as the rate asks.
  const perSend = Math.max(10, Math.ceil(rate / 100));
  for (let i = 0; i < rate * seconds; i += perSend) {
    const wait = started + (i / rate) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const messages = Array.from({ length: perSend }, (_, k) => ({ key: `m-${(i + k) % MEMBERS}`, value: purchase(i + k, prefix) }));
    const at = performance.now();
    for (let k = 0; k < perSend; k++) sentAt.set(`${prefix}-${i + k}`, at);
    void producer.send({ topic, acks: PUBLISH_ACKS, messages });
  }
  const until = Date.now() + 30_000 + seconds * 1000;
  while (seenAt.size < sentAt.size && Date.now() < until) await sleep(50);
  // A loop, not Math.max(...values): a step at full rate sees too many commits to spread as arguments.
  let lastSeen = started;
  for (const at of seenAt.values()) if (at > lastSeen) lastSeen = at;
  await sql.query(`UNLISTEN ${LISTEN_CHANNEL}`);
  sql.off('notification', onNotification);
  await sql.query('DROP TRIGGER bench_appended ON causations');
  const timeline: [number, number][] = [...sentAt.entries()].filter(([id]) => seenAt.has(id)).map(([id, at]) => [at, (seenAt.get(id) as number) - at]);
  const latencies = timeline.map(([, ms]) => ms).sort((a, b) => a - b);
  return {
    rate,
    seconds,
    measured: latencies.length,
    /** Purchases committed a second from the first send to the last commit. */
    achievedPerSecond: Math.round(seenAt.size / ((lastSeen - started) / 1000)),
    sent: sentAt.size,
    what: 'publish -> committed in the ledger (visible to readers), as notified on commit',
    p50ms: Number(percentile(latencies, 50).toFixed(1)),
    p99ms: Number(percentile(latencies, 99).toFixed(1)),
    maxMs: Number((latencies[latencies.length - 1] ?? 0).toFixed(1)),
    perSecond: perSecondTail(timeline, started, seconds),
  };
};

const main = async () => {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const namespace = `bench-${Date.now().toString(36)}.`;
  const databaseUrl = benchDatabaseUrl(process.env.BENCH_EARN_DATABASE ?? 'tally_bench_earn');
  await recreateDatabase(databaseUrl);
  await migrateLedger(databaseUrl);
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bench-earn', namespace });
  const admin = kafka.admin();
  await admin.connect();
  const benchTopics = [...INPUT_TOPICS, Topics.deadLetters, Topics.ledger, Topics.notifications];
  await ensureTopics(admin, namespace, benchTopics, { partitions: PARTITIONS, replicationFactor: REPLICATION_FACTOR });
  await admin.disconnect();

  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const topic = `${namespace}${Topics.purchases.name}`;
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const steady = (prefix: string, seconds?: number, rate?: number) => steadyLatency(producer, sql, topic, prefix, seconds, rate);

  log(`steady load with no backlog: ${STEADY_RATE} events/s for ${WARMUP_SECONDS} s of warm-up, then ${STEADY_SECONDS} s measured ...`);
  const first = startEarn(namespace, databaseUrl, brokers);
  await waitConsuming(producer, sql, topic);
  // A fresh broker and a fresh earn process answer slowly for their first seconds (JIT, connections): not measured.
  await steady('warm', WARMUP_SECONDS);
  const noBacklogPhase = await phaseRuntime(1, sql);
  const latencyNoBacklog = { ...(await steady('lat0')), runtime: await noBacklogPhase() };
  log(`no backlog: latency p50 ${latencyNoBacklog.p50ms} ms, p99 ${latencyNoBacklog.p99ms} ms; ${JSON.stringify(latencyNoBacklog.runtime)}`);
  const noBacklogMemory = residentOf(first.pid);
  await stopEarn(first);

  log(`publishing ${EVENTS} purchases for ${MEMBERS} members to ${PARTITIONS} partitions ...`);
  const publishStarted = performance.now();
  for (let i = 0; i < EVENTS; i += 5000) {
    const messages = Array.from({ length: Math.min(5000, EVENTS - i) }, (_, k) => ({ key: `m-${(i + k) % MEMBERS}`, value: purchase(i + k, 'b') }));
    await producer.send({ topic, acks: PUBLISH_ACKS, messages });
  }
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  log(`published in ${publishSeconds.toFixed(1)} s`);

  const before = await lastPosition(sql);
  const earn = Array.from({ length: INSTANCES }, (_, i) => startEarn(namespace, databaseUrl, brokers, EARN_PORT + i));
  // CPU counted from the first append on: the processes' start (loading, connecting, joining) is not the backlog's.
  while (!(await appendedAfter(sql, before))) await sleep(50);
  // The first process may append before the others listen: their metrics are read from here on.
  while (
    !(await scrapeEarn(INSTANCES).then(
      () => true,
      () => false,
    ))
  )
    await sleep(50);
  const cpuFrom = cpuSample(earn);
  const backlogPhase = await phaseRuntime(INSTANCES, sql);
  while (!(await committedAll(kafka, namespace))) await sleep(500);
  const caughtUpAt = Date.now();
  const backlogMemory = earn.map((child) => residentOf(child.pid));
  const cpu = cpuPerEvent(cpuFrom, cpuSample(earn), EVENTS);
  const backlogRuntime = await backlogPhase();
  const { rows } = await sql.query('SELECT min(recorded_at) AS first, count(*)::int AS n FROM ledger_events WHERE position > $1', [before]);
  const firstAppend = new Date(rows[0].first).getTime();
  const throughputSeconds = (caughtUpAt - firstAppend) / 1000;
  const eventsPerSecond = Math.round(EVENTS / throughputSeconds);
  log(`throughput: ${rows[0].n} events appended, ${eventsPerSecond} events/s from first append to last commit`);
  log(`CPU a purchase: ${JSON.stringify(cpu)}; ${JSON.stringify(backlogRuntime)}`);

  log(`steady load right after the backlog: ${STEADY_RATE} events/s for ${STEADY_SECONDS} s ...`);
  const afterBacklogPhase = await phaseRuntime(INSTANCES, sql);
  const latency = { ...(await steady('lat')), runtime: await afterBacklogPhase() };
  const loadCurve = LOAD_CURVE_SECONDS > 0 ? await measureLoadCurve(eventsPerSecond, (prefix, rate) => steady(prefix, LOAD_CURVE_SECONDS, rate)) : undefined;
  const batches = await earnBatches(INSTANCES);
  log(`earn batches (backlog and the steady load after it): ${JSON.stringify(batches)}`);
  const memory = { ...EARN_MEMORY, noBacklog: noBacklogMemory, afterBacklog: backlogMemory, atEnd: earn.map((child) => residentOf(child.pid)) };
  log(`earn resident memory: ${JSON.stringify(memory)}`);
  await Promise.all(earn.map(stopEarn));
  await producer.disconnect();
  await dropTopics(kafka, namespace, benchTopics);
  await sql.end();

  const results = {
    benchmark: 'earn',
    command: 'npm run bench:earn',
    machine: machine(),
    setup: {
      events: EVENTS,
      members: MEMBERS,
      partitions: PARTITIONS,
      brokers: brokers.split(',').length,
      replicationFactor: REPLICATION_FACTOR,
      publishAcks: PUBLISH_ACKS,
      consumer: 'kafkajs eachBatch, the partition batches of a fetch coalesced into one ledger append and one offset commit',
      earnProcesses: { noBacklog: 1, backlogAndAfter: INSTANCES },
      stateCacheSize: Number(STATE_CACHE_SIZE),
    },
    publish: { seconds: Number(publishSeconds.toFixed(1)) },
    throughput: { seconds: Number(throughputSeconds.toFixed(1)), eventsPerSecond, cpu, runtime: backlogRuntime },
    batches,
    memory,
    latencyNoBacklog,
    latency,
    ...(loadCurve ? { loadCurve } : {}),
    targets: { eventsPerSecond: 20_000, p99ms: 50, earnResidentMiB: 500, loadCurveP99msAt80Percent: 250 },
  };
  log(`after the backlog: latency p50 ${results.latency.p50ms} ms, p99 ${results.latency.p99ms} ms; ${JSON.stringify(latency.runtime)}`);
  const written = writeResults(process.env.BENCH_EARN_RESULTS ?? 'earn', results);
  log(`results: ${written}`);
  if (loadCurve) log(`load curve chart: ${writeLoadCurveChart(written.replace(/\.json$/, '-load-curve.svg'), loadCurve, machine())}`);
};

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
