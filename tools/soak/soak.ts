import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { ROOT, Stack, sleep } from '@tally/testing';
import { Brokers } from './brokers';
import { finalChecks } from './checks';
import { Driver } from './driver';
import { Fault, describeFault, faultSchedule, inject } from './faults';
import { Oracle } from './oracle';
import { SlowProxy } from './slow-proxy';
import { makeWorkload } from './workload';

/**
 * `npm run soak -- --seed N --minutes M [--brokers 1|3] [--rate R] [--port-base P] [--label L]`:
 * the real stack as OS processes (ledger, tier, expiry, two earn, two redeem) on its own broker(s),
 * a fresh database (`tally_<L>`) and namespace (`<L>-...`), the services reaching PostgreSQL through
 * the soak's proxy; a seeded workload at R steps a second for M minutes under seeded faults, then,
 * drained, every check against the oracle. Writes bench-results/soak.json.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    minutes: { type: 'string', default: '1' },
    brokers: { type: 'string', default: '1' },
    rate: { type: 'string', default: '6' },
    'port-base': { type: 'string', default: '3340' },
    label: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const minutes = Number(values.minutes);
const brokerCount = Number(values.brokers);
const rate = Number(values.rate);
const portBase = Number(values['port-base']);
if (!Number.isSafeInteger(seed) || !(minutes > 0) || ![1, 3].includes(brokerCount) || !(rate > 0))
  throw new Error('--seed N --minutes M (> 0) --brokers 1|3 --rate R (> 0)');
const say = (line: string) => process.stdout.write(`${line}\n`);

const drain = async (stack: Stack, seconds: number): Promise<string[]> => {
  const until = Date.now() + seconds * 1000;
  const pending = async () => {
    const waits: string[] = [];
    for (const group of ['tally-earn', 'tally-earn-reconsume']) if (!(await stack.caughtUp(group).catch(() => false))) waits.push(`earn group ${group}`);
    const { rows } = await stack.sql.query<{ outbox: string; parked: string }>(
      `SELECT (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM parked_inputs) AS parked`,
    );
    if (Number(rows[0].outbox) > 0) waits.push(`${rows[0].outbox} outbox rows`);
    if (Number(rows[0].parked) > 0) waits.push(`${rows[0].parked} parked refunds`);
    return waits;
  };
  let waits = await pending();
  while (waits.length > 0 && Date.now() < until) {
    await sleep(2000);
    waits = await pending().catch((error: Error) => [error.message]);
  }
  // Tier reads loyalty.ledger.v1: a few seconds more for upgrades of the last events.
  await sleep(8000);
  return waits.map((w) => `not drained after ${seconds} s: ${w}`);
};

const main = async () => {
  const started = Date.now();
  const steps = Math.round(minutes * 60 * rate);
  const workload = makeWorkload(seed, steps);
  const faults = faultSchedule(seed, workload.steps.length, Math.max(20, Math.round(rate * 12)), brokerCount);
  const brokers = new Brokers(brokerCount, portBase + 50);
  const label = values.label ?? `soak${seed}`;
  // The services reach PostgreSQL through a proxy the fault schedule can slow down; the soak's own checks do not.
  const database = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const proxy = new SlowProxy({ host: database.hostname, port: Number(database.port || 5432) }, seed);
  // And Kafka, with one broker: through its second listener, which advertises the proxy's port.
  const kafkaProxy = brokers.proxied ? new SlowProxy({ host: '127.0.0.1', port: brokers.proxied.listen }, seed + 1) : undefined;
  const proxied = new URL(database);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(portBase + 48);
  proxied.pathname = `/tally_${label.replace(/[^a-z0-9_]/gi, '_')}`;
  const stack = new Stack({
    label,
    portBase,
    brokers: brokers.list,
    instances: { earn: 2, redeem: 2 },
    env: {
      TALLY_TOPIC_REPLICATION_FACTOR: String(Math.min(brokerCount, 3)),
      TALLY_TOPIC_PARTITIONS: '4',
      TALLY_KAFKA_IDEMPOTENT: brokerCount === 3 ? 'on' : 'off',
      TALLY_EXPIRY_INTERVAL_SECONDS: '0',
      TALLY_TIER_DAILY_EVALUATION: 'off',
      // Holds left to their ttl are released by redeem's own job, at the real clock.
      TALLY_HOLD_EXPIRY_INTERVAL_MS: '1000',
      DATABASE_URL: proxied.toString(),
      ...(brokers.proxied ? { KAFKA_BROKERS: `127.0.0.1:${brokers.proxied.advertised}` } : {}),
    },
  });
  stack.instances.push({ id: 'earn#3', service: 'earn', port: portBase + 9, env: { TALLY_EARN_GROUP_ID: 'tally-earn-reconsume' } });
  const count = (kind: string) => workload.steps.filter((s) => s.kind === kind).length;
  // Two runs of one seed print the same fingerprint and fault list: the same workload, the same schedule.
  const fingerprint = createHash('sha256').update(JSON.stringify(workload.steps)).digest('hex').slice(0, 16);
  say(
    `soak: seed ${seed}, ${minutes} min at ${rate} steps/s: ${workload.steps.length} steps (workload ${fingerprint}), ${count('kafka')} Kafka inputs, ${count('clock')} clock steps (simulated ${workload.simFrom.slice(0, 10)} to ${workload.simTo.slice(0, 10)}), ${count('floor')} floors, ${faults.length} faults, ${brokerCount} broker(s) ${brokers.list.join(',')}; database ${new URL(stack.databaseUrl).pathname.slice(1)}, namespace ${stack.namespace}`,
  );
  for (const fault of faults) say(`  scheduled ${describeFault(fault)}`);
  const oracle = new Oracle();
  const findings: string[] = [];
  const report: Record<string, unknown> = {
    seed,
    minutes,
    brokers: brokerCount,
    rate,
    steps: workload.steps.length,
    workload: fingerprint,
    simulated: { from: workload.simFrom, to: workload.simTo },
    faults: faults.map(describeFault),
  };
  let driver: Driver | undefined;
  try {
    await brokers.start();
    await proxy.listen(portBase + 48);
    if (kafkaProxy && brokers.proxied) await kafkaProxy.listen(brokers.proxied.advertised);
    await stack.prepare(!values['no-build']);
    const reconsume = stack.instance('earn#3');
    stack.instances.splice(stack.instances.indexOf(reconsume), 1);
    await stack.startAll();
    say(`  stack up in ${Math.round((Date.now() - started) / 1000)} s`);
    const producer = new Kafka({ clientId: 'soak', brokers: brokers.list, logLevel: logLevel.NOTHING, retry: { retries: 10 } }).producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    driver = new Driver(stack, producer, oracle);
    const faultRuns: Promise<void>[] = [];
    let faultBusy: Promise<void> = Promise.resolve();
    const t = Date.now();
    for (const [i, step] of workload.steps.entries()) {
      const wait = t + (i / rate) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      for (const fault of faults.filter((f: Fault) => f.at === i)) {
        say(`  fault ${describeFault(fault)}`);
        // One fault at a time: at most one broker (or one process) down at once.
        faultBusy = faultBusy.then(() =>
          inject(fault, stack, brokers, { postgres: proxy, kafka: kafkaProxy }, say, (problem) => {
            say(`  !! ${problem}`);
            findings.push(problem);
          }),
        );
        faultRuns.push(faultBusy);
      }
      if (i === Math.floor(workload.steps.length / 2)) {
        say('  a new consumer group re-consumes every input topic from offset 0 (earn#3)');
        stack.instances.push(reconsume);
        stack.startInstance(reconsume);
      }
      await driver.run(step);
    }
    await Promise.all(faultRuns);
    await producer.disconnect();
    for (const instance of stack.instances) await stack.waitHealthy(instance, 300).catch((error: Error) => findings.push(error.message));
    say(`  workload done in ${Math.round((Date.now() - t) / 1000)} s; draining ...`);
    findings.push(...(await drain(stack, 300)), ...driver.stats.findings);
    const checked = await finalChecks(stack, oracle, workload);
    findings.push(...checked.findings);
    Object.assign(report, {
      kafkaInputsSent: driver.stats.kafkaSent,
      redeliveries: driver.stats.redeliveries,
      http: driver.stats.http,
      transientHttpErrors: driver.stats.transient,
      members: workload.members.size,
      membersExact: checked.membersExact,
      membersSumsOnly: checked.membersSumsOnly,
      clockSteps: driver.stats.clocks,
      clockWaitSeconds: Math.round(driver.stats.clockWaitSeconds),
      floors: oracle.floors.length,
      ttlHolds: [...oracle.holds.values()].filter((h) => h.ttl).length,
      oracleClocks: oracle.clocks,
      redemptions201: oracle.redemptions.size,
      holds201: oracle.holds.size,
      refusalsJustified: oracle.refusals.length,
      eventsApplied: checked.eventsApplied,
      eventsByType: checked.byType,
      ledgerTopicRedeliveries: checked.ledgerTopicDuplicates,
      eventsReplayed: checked.eventsReplayed,
    });
  } catch (error) {
    findings.push(`the run failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await stack.stop(findings.length === 0);
    await brokers.stop().catch(() => undefined);
    await proxy.close();
    await kafkaProxy?.close();
  }
  const verdict = findings.length === 0 ? 'PASS' : 'FAIL';
  Object.assign(report, { verdict, findingCount: findings.length, findings: findings.slice(0, 200), seconds: Math.round((Date.now() - started) / 1000) });
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results/soak.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const finding of findings.slice(0, 30)) say(`  finding: ${finding}`);
  say(
    `soak ${verdict}: seed ${seed}, ${faults.length} faults, ${report.kafkaInputsSent ?? 0} Kafka inputs (${report.redeliveries ?? 0} redelivered), ${report.redemptions201 ?? 0} redemptions + ${report.holds201 ?? 0} holds (201), ${report.eventsApplied ?? 0} events applied, ${findings.length} findings in ${report.seconds} s`,
  );
  process.exitCode = findings.length === 0 ? 0 : 1;
};

void main();
