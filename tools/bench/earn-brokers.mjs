// `npm run bench:earn-brokers`: earn's benchmark (tools/bench/earn.bench.ts) on the single local
// broker and on a 3-broker KRaft cluster (deploy/kafka/cluster.sh: replication factor 3,
// min.insync.replicas 2, idempotent producers, acks=all), alternating so that the host's drift
// falls on both alike. BENCH_BROKERS_ROUNDS rounds (default 2) of BENCH_EARN_EVENTS purchases
// (default 300,000); results in bench-results/earn-brokers.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const rounds = Number(process.env.BENCH_BROKERS_ROUNDS ?? 2);
const events = process.env.BENCH_EARN_EVENTS ?? '300000';
const clusterPort = Number(process.env.TALLY_KAFKA_CLUSTER_PORT ?? 9192);
const setups = {
  1: { KAFKA_BROKERS: '127.0.0.1:9092', TALLY_TOPIC_REPLICATION_FACTOR: '1' },
  3: { KAFKA_BROKERS: [0, 1, 2].map((i) => `127.0.0.1:${clusterPort + i}`).join(','), TALLY_TOPIC_REPLICATION_FACTOR: '3' },
};
const bash = (...args) => execFileSync('bash', args, { cwd: root, stdio: 'inherit' });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

bash('tools/infra/ensure-postgres.sh');
const singleWasRunning = spawnSync('bash', ['deploy/kafka/kafka.sh', 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
if (!singleWasRunning) bash('deploy/kafka/kafka.sh', 'start');
bash('deploy/kafka/cluster.sh', 'start', '--brokers', '3');
const runs = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const brokers of [1, 3]) {
      const name = `earn-brokers-${brokers}-${round}`;
      console.log(`\n== round ${round}: ${brokers} broker(s)`);
      execFileSync('node', ['tools/bench/run.mjs', 'earn'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, ...setups[brokers], TALLY_KAFKA_IDEMPOTENT: 'on', BENCH_EARN_EVENTS: events, BENCH_EARN_RESULTS: name },
      });
      const file = join(root, 'bench-results', `${name}.json`);
      const result = JSON.parse(readFileSync(file, 'utf8'));
      rmSync(file);
      runs.push({
        round,
        brokers,
        eventsPerSecond: result.throughput.eventsPerSecond,
        latencyP99ms: result.latency.p99ms,
        calibrationMs: result.machine.calibrationMs,
        loadAverage1m: result.machine.loadAverage1m,
      });
    }
  }
} finally {
  bash('deploy/kafka/cluster.sh', 'stop', '--brokers', '3');
  if (!singleWasRunning) bash('deploy/kafka/kafka.sh', 'stop');
}
const summary = (brokers) => {
  const mine = runs.filter((r) => r.brokers === brokers);
  return { medianEventsPerSecond: median(mine.map((r) => r.eventsPerSecond)), medianLatencyP99ms: median(mine.map((r) => r.latencyP99ms)) };
};
const one = summary(1);
const three = summary(3);
const results = {
  benchmark: 'earn-brokers',
  command: `BENCH_EARN_EVENTS=${events} BENCH_BROKERS_ROUNDS=${rounds} npm run bench:earn-brokers`,
  setup: { events: Number(events), producers: 'idempotent, acks=all', cluster: 'replication factor 3, min.insync.replicas 2' },
  runs,
  oneBroker: one,
  threeBrokers: three,
  threeOverOne: Number((three.medianEventsPerSecond / one.medianEventsPerSecond).toFixed(2)),
};
writeFileSync(join(root, 'bench-results', 'earn-brokers.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `\n1 broker ${one.medianEventsPerSecond}/s, 3 brokers ${three.medianEventsPerSecond}/s (x${results.threeOverOne}); bench-results/earn-brokers.json`,
);
