// `npm run bench:<name>`: builds with swc and runs one benchmark; results land in bench-results/<name>.json.
// PostgreSQL must answer (a stopped local cluster is started); earn, ingest, export and import need Kafka too: without
// KAFKA_BROKERS the local broker is started from deploy/kafka if it is not running, and stopped after.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const name = process.argv[2];

if (!name) throw new Error('usage: node tools/bench/run.mjs <ledger|earn|redeem|analytics|ingest|export|import>');
execFileSync('bash', ['tools/infra/ensure-postgres.sh'], { cwd: root, stdio: 'inherit' });
const kafka = (command) =>
  spawnSync('bash', ['deploy/kafka/kafka.sh', command], { cwd: root, stdio: command === 'status' ? 'ignore' : 'inherit' }).status === 0;
const startedKafka = ['earn', 'ingest', 'export', 'import'].includes(name) && !process.env.KAFKA_BROKERS && !kafka('status') && kafka('start');
try {
  execFileSync('node', ['tools/build/build.mjs'], { cwd: root, stdio: 'inherit' });
  execFileSync('node', ['--enable-source-maps', '--max-old-space-size=4096', '-r', 'reflect-metadata', `dist/tools/bench/${name}.bench.js`], {
    cwd: root,
    stdio: 'inherit',
  });
} finally {
  if (startedKafka) kafka('stop');
}
