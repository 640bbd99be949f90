// `npm start`: brings up what is not running yet (PostgreSQL check, Kafka, migrations, the five
// services), publishes a demo stream, prints balances and where to look, and on Ctrl-C stops
// what it started. `--smoke` stops right after printing (used to check the door still opens).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { publishDemo, showBalances } from '../demo/demo.mjs';

const { demoTokens } = createRequire(import.meta.url)('./demo-token.cjs');

const root = join(import.meta.dirname, '../..');
const logs = join(root, '.tally/logs');
const smoke = process.argv.includes('--smoke');
// TALLY_PORT_BASE moves all five ports, so a second stack (with its own DATABASE_URL and
// TALLY_TOPIC_NAMESPACE) can run beside the first.
const portBase = Number(process.env.TALLY_PORT_BASE ?? 3000);
const services = ['ledger', 'earn', 'redeem', 'tier', 'expiry'].map((name, i) => [name, portBase + i]);
const url = (name) => `http://127.0.0.1:${services.find(([n]) => n === name)[1]}`;
const namespace = process.env.TALLY_TOPIC_NAMESPACE ?? '';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tally';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const { tokens, demoToken: opsToken } = demoTokens(process.env.TALLY_API_TOKENS, process.env.TALLY_DEMO_OPS_TOKEN ?? randomBytes(12).toString('hex'));
const say = (line) => process.stdout.write(`${line}\n`);
const children = [];
let startedKafka = false;

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

const kafkaAnswers = () => {
  try {
    execFileSync('bash', ['deploy/kafka/kafka.sh', 'status'], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

// TALLY_START_HEALTH_SECONDS: how long a service may take to become healthy (a loaded machine starts slowly).
const healthSeconds = Number(process.env.TALLY_START_HEALTH_SECONDS ?? 90);
const waitForHealth = async (name, port, seconds = healthSeconds) => {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${name} did not become healthy on port ${port}: see ${join(logs, `${name}.log`)}`);
};

const stopAll = async () => {
  for (const child of children) child.kill('SIGTERM');
  await sleep(1500);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (startedKafka) run('bash', ['deploy/kafka/kafka.sh', 'stop']);
};

/**
 * Node flags of each service (the benches and docker-compose use the same). Earn runs with a 64 MB
 * young-generation semi-space: its batches live long enough that the default 16 MB promoted much
 * of them (bench:earn, alternating runs on one host: 11.8-12.9k -> 12.8-13.9k purchases/s); and
 * scavenges on its main thread alone, as the helper threads of a parallel scavenge wait for a core
 * PostgreSQL holds (earn's CPU a purchase 72-77 -> 65-68 us in three alternations).
 */
const nodeFlags = JSON.parse(readFileSync(join(root, 'tools/infra/service-node-flags.json'), 'utf8'));
const serviceNodeFlags = (name) => [...nodeFlags.every, ...(nodeFlags[name] ?? [])];

const main = async () => {
  mkdirSync(logs, { recursive: true });
  run('bash', ['tools/infra/ensure-postgres.sh']);
  if (!process.env.KAFKA_BROKERS && !kafkaAnswers()) {
    run('bash', ['deploy/kafka/kafka.sh', 'start']);
    startedKafka = true;
  }
  run('node', ['tools/build/build.mjs']);
  run('node', ['tools/infra/migrate.cjs', databaseUrl]);
  for (const [name, port] of services) {
    const log = createWriteStream(join(logs, `${name}.log`), { flags: 'a' });
    const child = spawn('node', [...serviceNodeFlags(name), `dist/apps/${name}/src/main.js`], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, KAFKA_BROKERS: brokers, TALLY_API_TOKENS: tokens },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    child.on('exit', (code, signal) => {
      if (!stopping) say(`!! ${name} exited (code ${code}, signal ${signal}); its log: ${join(logs, `${name}.log`)}`);
    });
    children.push(child);
  }
  for (const [name, port] of services) await waitForHealth(name, port);
  say('all five services are healthy; publishing the demo stream ...');
  const members = await publishDemo(brokers.split(','), namespace);
  const demo = opsToken ? await showBalances(members, opsToken, say, { ledger: url('ledger'), redeem: url('redeem') }) : undefined;
  // The smoke run is CI's check that a newcomer's first minute works: the demo must have redeemed and dead-lettered.
  if (smoke && demo && (demo.redemptionStatus !== 201 || !demo.deadLetters))
    throw new Error(`the demo did not work: redemption HTTP ${demo.redemptionStatus}, dead letters ${demo.deadLetters}`);
  if (!opsToken) say('TALLY_API_TOKENS names no ops token, so the demo shows no balances and makes no redemption: add one (e.g. ...,s3cret=ops) to see them.');
  const bearer = opsToken ?? '<an ops token of TALLY_API_TOKENS>';
  say('');
  say('Where to look:');
  say(`  console  ${url('ledger')}/console/   (运营控制台; log in with ${opsToken ? `the ops token ${opsToken}` : 'a token of TALLY_API_TOKENS'})`);
  for (const [name, port] of services) say(`  ${name.padEnd(7)} http://127.0.0.1:${port}/docs   health /health   metrics /metrics`);
  say(`  balance  curl -H 'Authorization: Bearer ${bearer}' ${url('ledger')}/members/m-1001/balance`);
  say(`  audit    curl -H 'Authorization: Bearer ${bearer}' ${url('ledger')}/ops/audit`);
  say(`  logs     ${logs}/<service>.log`);
  if (smoke) return;
  say('Running. Press Ctrl-C to stop everything this command started.');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
};

let stopping = false;
main()
  .catch((error) => {
    process.exitCode = 1;
    say(`npm start failed: ${error.message}`);
  })
  .finally(async () => {
    stopping = true;
    await stopAll();
  });
