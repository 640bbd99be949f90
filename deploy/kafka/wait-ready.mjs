#!/usr/bin/env node
// Waits until a Kafka broker answers a metadata request (kafkajs admin.listTopics()).
//
//   node deploy/kafka/wait-ready.mjs [--broker 127.0.0.1:9092] [--timeout 60] [--quiet]
//
// Broker defaults to KAFKA_BROKERS (first entry) or 127.0.0.1:$TALLY_KAFKA_PORT (9092).
// Exit codes: 0 ready, 1 timed out, 2 kafkajs not installed (run npm install; kafka.sh then
// falls back to its own bash metadata probe).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const quiet = process.argv.includes('--quiet');
const broker =
  arg('broker') ??
  (process.env.KAFKA_BROKERS ? process.env.KAFKA_BROKERS.split(',')[0].trim() : undefined) ??
  `127.0.0.1:${process.env.TALLY_KAFKA_PORT ?? '9092'}`;
const timeoutMs = Number(arg('timeout', process.env.TALLY_KAFKA_WAIT_TIMEOUT ?? '60')) * 1000;

let kafkajs;
try {
  kafkajs = createRequire(path.join(repoRoot, 'package.json'))('kafkajs');
} catch {
  if (!quiet) console.error(`wait-ready: kafkajs not found under ${repoRoot}/node_modules (npm install not run yet?)`);
  process.exit(2);
}
const { Kafka, logLevel } = kafkajs;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
let attempt = 0;
let lastError = '';

while (Date.now() - started < timeoutMs) {
  attempt += 1;
  const kafka = new Kafka({
    clientId: 'tally-wait-ready',
    brokers: [broker],
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    const ms = Date.now() - started;
    if (!quiet) console.log(`wait-ready: ${broker} ready after ${ms} ms (attempt ${attempt}, ${topics.length} topics)`);
    await admin.disconnect().catch(() => {});
    process.exit(0);
  } catch (err) {
    lastError = err?.message ?? String(err);
    await admin.disconnect().catch(() => {});
  }
  await sleep(500);
}
console.error(`wait-ready: ${broker} not ready after ${timeoutMs / 1000}s (${attempt} attempts; last error: ${lastError})`);
process.exit(1);
