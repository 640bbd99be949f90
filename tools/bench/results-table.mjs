// `npm run bench:table`: the README's table of the latest results, from bench-results/*.json (as
// Markdown, on stdout), so the numbers shown are always those of the files beside them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const read = (name) => JSON.parse(readFileSync(join(root, 'bench-results', `${name}.json`), 'utf8'));
const n = (value) => Math.round(value).toLocaleString('en-US');
const ledger = read('ledger');
const earn = read('earn');
const redeem = read('redeem');
const best = (rows, batchSize) => Math.max(...rows.filter((r) => r.batchSize === batchSize).map((r) => r.eventsPerSecond));
const oneEvent = (inFlight) => {
  const r = ledger.ratio.oneEventPerCall?.[`inFlight${inFlight}`];
  return r ? `${n(r.tallyBatcher)} vs ${n(r.emmett)} = ${r.batcherOverEmmett}x (${inFlight} in flight)` : 'not measured';
};
const day = (at) => at.slice(0, 16).replace('T', ' ');
const calibration = [ledger, earn, redeem].map((r) => r.machine.calibrationMs).join(' / ');

const rows = [
  ['ledger append, 1,000 events a batch', `${n(best(ledger.append, 1000))} events/s`, `>= ${n(ledger.targets.batchedAppend)}`],
  ['vs emmett (PostgreSQL), same run, batched', `${ledger.ratio.tallyOverEmmett}x`, `>= ${ledger.targets.overEmmett}x`],
  [
    'vs emmett, one event a call (events/s)',
    `${oneEvent(1)}; ${oneEvent(8)}; a commit's flush: ${ledger.commitFlush?.syncOnMs ?? '?'} ms`,
    `>= ${ledger.targets.oneEventOverEmmett ?? 1.5}x`,
  ],
  ['replay, verify', `${n(ledger.replay.eventsPerSecond)} events/s, identical: ${ledger.replay.identical}`, `>= ${n(ledger.targets.replay)}`],
  ['audit', `${n(ledger.audit.eventsPerSecond)} events/s`, `>= ${n(ledger.targets.audit)}`],
  ['bytes per event in the log', `${ledger.storage.bytesPerEvent}`, `<= ${ledger.targets.bytesPerEvent}`],
  [
    `earn: ${n(earn.setup.events)} purchases, ${n(earn.setup.members)} members`,
    `${n(earn.throughput.eventsPerSecond)} events/s (earn ${earn.throughput.cpu.earn.microsPerEvent} us, PostgreSQL ${earn.throughput.cpu.postgres.microsPerEvent} us a purchase)`,
    `>= ${n(earn.targets.eventsPerSecond)}`,
  ],
  [
    'earn: publish -> committed at 1,000/s',
    `p50 ${earn.latencyNoBacklog.p50ms} ms, p99 ${earn.latencyNoBacklog.p99ms} ms (after the backlog: p99 ${earn.latency.p99ms} ms)`,
    `p99 <= ${earn.targets.p99ms} ms`,
  ],
  [
    'earn: resident memory after the backlog',
    earn.memory
      ? `${n(earn.memory.afterBacklog[0].residentMiB)} MiB (peak ${n(earn.memory.afterBacklog[0].peakResidentMiB)} MiB)`
      : `${n(earn.batches.residentMiB)} MiB`,
    `<= ${n(earn.targets.earnResidentMiB ?? 500)} MiB`,
  ],
  [
    'redeem: resident memory at the end',
    redeem.memory ? `${n(redeem.memory.redeem.residentMiB)} MiB (peak ${n(redeem.memory.redeem.peakResidentMiB)} MiB)` : 'not measured',
    `<= ${n(redeem.targets.residentMiB ?? 150)} MiB`,
  ],
  [
    'redeem: 64 workers',
    `${n(redeem.throughput.redemptionsPerSecond)} redemptions/s (p99 ${redeem.throughput.p99ms} ms)`,
    `>= ${n(redeem.targets.throughput)}`,
  ],
  ['redeem: steady 1,000/s', `p50 ${redeem.latency.p50ms} ms, p99 ${redeem.latency.p99ms} ms`, `p99 <= ${redeem.targets.p99msAt1k} ms`],
  ['redeem: one hot member, 32 workers', `${n(redeem.hotMember.redemptionsPerSecond)} redemptions/s`, `>= ${n(redeem.targets.hotMember)}`],
];

process.stdout.write(
  [
    `Latest run: ${day(ledger.machine.at)} UTC, ${ledger.machine.cpus} cores (${ledger.machine.cpuModel}), \`calibrationMs\` ${calibration} (ledger / earn / redeem).`,
    '',
    '| benchmark | result | target |',
    '| --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ].join('\n'),
);
