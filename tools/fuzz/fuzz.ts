import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, Producer } from 'kafkajs';
import { badRequests, describeService, probe } from './http-inputs';
import { checkApplied, checkDeadLetters, readDeadLetters } from './kafka-checks';
import { FuzzMessage, KafkaInputs } from './kafka-inputs';
import { Rng, OPS_TOKEN, READ_TOKEN, ROOT, STORE_TOKEN, ServiceName, Stack } from '@tally/testing';

/**
 * `npm run fuzz -- --seed N --count K [--port-base P] [--no-build]`: K bad inputs, about 60% on
 * the input topics (interleaved with as many valid ones and some redeliveries) and the rest as
 * HTTP requests on every route of the five services, against a stack of its own. Exits non-zero
 * on any finding; writes bench-results/fuzz.json.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    count: { type: 'string', default: '1000' },
    'port-base': { type: 'string', default: '3300' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const seed = Number(values.seed);
const count = Number(values.count);
if (!Number.isSafeInteger(seed) || seed < 0 || !Number.isSafeInteger(count) || count < 1) throw new Error('--seed and --count must be whole numbers');
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const SERVICES: ServiceName[] = ['ledger', 'earn', 'redeem', 'tier', 'expiry'];
const say = (line: string) => process.stdout.write(`${line}\n`);

const generate = (rng: Rng, bad: number): FuzzMessage[] => {
  const inputs = new KafkaInputs(rng, `fz${seed}`);
  const out: FuzzMessage[] = [];
  let made = 0;
  while (made < bad) {
    const roll = rng.next();
    if (roll < 0.45) out.push(inputs.valid());
    else if (roll < 0.5) out.push(inputs.redelivery() ?? inputs.valid());
    else {
      out.push(inputs.bad());
      made++;
    }
  }
  return out;
};

/** Sends in order, in small batches; a message near the broker's size limit alone. */
const publish = async (producer: Producer, stack: Stack, messages: FuzzMessage[]) => {
  let batch: FuzzMessage[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const topics = [...new Set(batch.map((m) => m.topic))];
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic: stack.topic(topic),
        messages: batch.filter((m) => m.topic === topic).map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
    batch = [];
  };
  for (const message of messages) {
    if ((message.value?.length ?? 0) > 100_000) {
      await flush();
      batch = [message];
      await flush();
    } else {
      batch.push(message);
      if (batch.length >= 50) await flush();
    }
  }
  await flush();
};

const fuzzHttp = async (stack: Stack, rng: Rng, count: number) => {
  const findings: string[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  const perService = Math.ceil(count / SERVICES.length);
  for (const [i, service] of SERVICES.entries()) {
    const base = stack.url(service);
    const { routes, fields } = await describeService(base);
    const requests = badRequests(routes, fields, [OPS_TOKEN, READ_TOKEN, STORE_TOKEN], seed + i, perService, rng);
    const queue = [...requests];
    const worker = async () => {
      for (let request = queue.shift(); request; request = queue.shift()) {
        const problem = await probe(base, request);
        sent++;
        if (problem)
          findings.push(`${service} ${request.method} ${request.url.slice(0, 120)} (${request.headers['content-type'] ?? 'no content-type'}): ${problem}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    statuses[service] = requests.length;
  }
  return { findings, sent, perService: statuses };
};

const main = async () => {
  const started = Date.now();
  const rng = new Rng(seed);
  const kafkaBad = Math.round(count * 0.6);
  const messages = generate(rng, kafkaBad);
  const stack = new Stack({ label: `fuzz${seed}`, portBase: Number(values['port-base']), brokers });
  say(
    `fuzz: seed ${seed}, ${count} bad inputs (${kafkaBad} Kafka, ${count - kafkaBad} HTTP), ${messages.length - kafkaBad} valid/redelivered Kafka inputs; database ${stack.databaseUrl.replace(/.*\//, '')}, namespace ${stack.namespace}`,
  );
  const findings: string[] = [];
  const report: Record<string, unknown> = { seed, count };
  try {
    await stack.prepare(!values['no-build']);
    await stack.startAll();
    say(`  stack up (${Math.round((Date.now() - started) / 1000)} s); publishing ...`);
    const producer = new Kafka({ clientId: 'fuzz', brokers }).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await publish(producer, stack, messages);
    await producer.disconnect();
    const stalled = await stack.waitProgress(120, 900);
    if (stalled) findings.push(`earn's consumer stalled: ${stalled}`);
    const bad = messages.filter((m) => m.bad);
    const letters = await readDeadLetters(stack.kafka, stack.namespace, bad.length);
    const dead = checkDeadLetters(messages, letters, stack.namespace);
    findings.push(...dead.findings);
    const applied = await checkApplied(stack.sql, messages);
    findings.push(...applied.findings);
    say(
      `  Kafka: ${bad.length} bad -> ${letters.length - dead.redelivered} dead letters (+${dead.redelivered} lettered again); ${messages.filter((m) => m.valid).length} valid -> ${applied.eventsApplied} ledger events (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    const http = await fuzzHttp(stack, rng, count - kafkaBad);
    findings.push(...http.findings);
    say(`  HTTP: ${http.sent} bad requests, ${http.findings.length} findings (${Math.round((Date.now() - started) / 1000)} s)`);
    for (const instance of stack.instances) {
      const health = await fetch(`http://127.0.0.1:${instance.port}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (health !== 200) findings.push(`${instance.id} /health answers ${health} after the run`);
    }
    const audit = (await (await fetch(`${stack.url('ledger')}/ops/audit`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).json()) as {
      ok: boolean;
      violationCount: number;
    };
    if (!audit.ok) findings.push(`/ops/audit: ${audit.violationCount} violations`);
    const byKind: Record<string, number> = {};
    for (const m of bad) byKind[m.bad!.kind] = (byKind[m.bad!.kind] ?? 0) + 1;
    Object.assign(report, {
      kafka: {
        bad: bad.length,
        valid: messages.filter((m) => m.valid).length,
        redeliveries: messages.filter((m) => m.redelivery).length,
        deadLetters: letters.length - dead.redelivered,
        deadLettersRedelivered: dead.redelivered,
        eventsApplied: applied.eventsApplied,
        byKind,
      },
      http: { requests: http.sent, byService: http.perService },
      audit,
    });
  } catch (error) {
    findings.push(`the run failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await stack.stop(findings.length === 0);
  }
  const verdict = findings.length === 0 ? 'PASS' : 'FAIL';
  Object.assign(report, { verdict, findingCount: findings.length, findings: findings.slice(0, 200), seconds: Math.round((Date.now() - started) / 1000) });
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results/fuzz.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const finding of findings.slice(0, 30)) say(`  finding: ${finding}`);
  say(
    `fuzz ${verdict}: seed ${seed}, ${count} bad inputs, ${findings.length} findings in ${report.seconds} s (rerun: npm run fuzz -- --seed ${seed} --count ${count})`,
  );
  process.exitCode = findings.length === 0 ? 0 : 1;
};

void main();
