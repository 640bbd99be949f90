import { CrashPoint } from '@tally/platform';
import { Rng, Stack, sleep } from '@tally/testing';
import { Brokers } from './brokers';
import { NetMode, SlowProxy } from './slow-proxy';

export type Fault =
  | { at: number; kind: 'kill'; instance: string; downMs: number }
  | { at: number; kind: 'pg-terminate' }
  | { at: number; kind: 'broker'; node: number; downMs: number }
  /** The instance restarted with `TALLY_CRASH_AT`: it kills itself on the `pass`-th pass of a named point between two effects. */
  | { at: number; kind: 'crash-at'; instance: string; point: CrashPoint; pass: number }
  /** The services' link to PostgreSQL or Kafka (through the soak's proxies) slow for `forMs`. */
  | { at: number; kind: 'slow-net'; link: NetLink; mode: Exclude<NetMode, { kind: 'normal' }>; forMs: number };

export type NetLink = 'postgres' | 'kafka';

const KILLABLE = ['ledger#1', 'tier#1', 'expiry#1', 'earn#1', 'earn#2', 'redeem#1', 'redeem#2'];

/**
 * The crash points the soak's workload passes, by the instance that passes them (redeem's
 * stock claim needs a stocked reward, which the default program has none of).
 */
const CRASH_POINTS_OF: [string, CrashPoint][] = [
  ['ledger#1', 'relay.after-publish'],
  ['tier#1', 'tier.after-append'],
  ['expiry#1', 'expiry.after-append'],
];

/** How long an armed instance is given to reach its point before it is stopped anyway. */
const CRASH_WAIT_MS = 45_000;

/** The fault schedule of a seed: about one fault per `every` steps, at seeded steps. */
export const faultSchedule = (seed: number, steps: number, every: number, brokers: number): Fault[] => {
  const rng = new Rng(seed ^ 0x5eed_fa17);
  const faults: Fault[] = [];
  for (let at = rng.int(every / 2, every); at < steps; at += rng.int(Math.ceil(every / 2), Math.ceil(every * 1.5))) {
    const roll = rng.next();
    if (roll < 0.38) faults.push({ at, kind: 'kill', instance: rng.pick(KILLABLE), downMs: rng.int(200, 6000) });
    else if (roll < 0.5) {
      const [instance, point] = rng.pick(CRASH_POINTS_OF);
      faults.push({ at, kind: 'crash-at', instance, point, pass: rng.int(1, 3) });
    } else if (roll < 0.7) faults.push({ at, kind: 'pg-terminate' });
    else if (roll < 0.85) {
      const minMs = rng.int(50, 150);
      const mode = rng.chance(0.7)
        ? { kind: 'latency' as const, minMs, maxMs: minMs + rng.int(0, 150) }
        : { kind: 'throttle' as const, bytesPerSecond: rng.int(8, 64) * 1024 };
      // Kafka is proxied with one broker only (the proxy's port is one broker's advertised listener).
      const link: NetLink = brokers === 1 && rng.chance(0.5) ? 'kafka' : 'postgres';
      faults.push({ at, kind: 'slow-net', link, mode, forMs: rng.int(2000, 8000) });
    } else faults.push({ at, kind: 'broker', node: rng.int(1, brokers), downMs: rng.int(1000, 8000) });
  }
  return faults;
};

export const describeFault = (f: Fault): string => {
  switch (f.kind) {
    case 'kill':
      return `step ${f.at}: SIGKILL ${f.instance}, restarted after ${f.downMs} ms`;
    case 'pg-terminate':
      return `step ${f.at}: pg_terminate_backend of every service connection`;
    case 'broker':
      return `step ${f.at}: SIGKILL broker ${f.node}, restarted after ${f.downMs} ms`;
    case 'crash-at':
      return `step ${f.at}: ${f.instance} crashes at ${f.point} (pass ${f.pass}), restarted`;
    case 'slow-net':
      return `step ${f.at}: ${f.link === 'kafka' ? 'Kafka' : 'PostgreSQL'} link ${f.mode.kind === 'latency' ? `${f.mode.minMs}-${f.mode.maxMs} ms per chunk` : `throttled to ${f.mode.bytesPerSecond} B/s`} for ${f.forMs} ms`;
  }
};

/**
 * Injects one fault; resolves once what it stopped runs again. One broker at a time is down at most.
 * `failed` hears what did not come back as it should: a finding, not a log line.
 */
export const inject = async (
  fault: Fault,
  stack: Stack,
  brokers: Brokers,
  proxies: Record<NetLink, SlowProxy | undefined>,
  log: (line: string) => void,
  failed: (problem: string) => void,
): Promise<void> => {
  if (fault.kind === 'kill') {
    const instance = stack.instance(fault.instance);
    await stack.kill(instance);
    await sleep(fault.downMs);
    stack.startInstance(instance);
    await stack.waitHealthy(instance, 300).catch((error: Error) => failed(`after ${describeFault(fault)}: ${error.message}`));
  } else if (fault.kind === 'crash-at') {
    const instance = stack.instance(fault.instance);
    const plain = instance.env;
    // Stopped gracefully so that it leaves its consumer group at once: a killed member is waited
    // for until its session times out, and the armed one would not be given partitions meanwhile.
    await stack.kill(instance, 'SIGTERM');
    instance.env = { ...plain, TALLY_CRASH_AT: `${fault.point}@${fault.pass}` };
    stack.startInstance(instance);
    const child = instance.child;
    const ended = new Promise<boolean>((resolve) => child?.once('exit', (_code, signal) => resolve(signal === 'SIGKILL')));
    const crashed = await Promise.race([ended, sleep(CRASH_WAIT_MS).then(() => false)]);
    log(`  ${fault.instance} ${crashed ? `crashed at ${fault.point}` : `did not reach ${fault.point} in ${CRASH_WAIT_MS} ms: stopped`}`);
    await stack.kill(instance);
    instance.env = plain;
    stack.startInstance(instance);
    await stack.waitHealthy(instance, 300).catch((error: Error) => failed(`after ${describeFault(fault)}: ${error.message}`));
  } else if (fault.kind === 'pg-terminate') {
    const { rows } = await stack.sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    log(`  terminated ${rows.length} PostgreSQL connections`);
  } else if (fault.kind === 'slow-net') {
    const proxy = proxies[fault.link];
    if (!proxy) return failed(`${describeFault(fault)}: no ${fault.link} proxy`);
    proxy.set(fault.mode);
    await sleep(fault.forMs);
    proxy.set({ kind: 'normal' });
  } else {
    await brokers.kill(fault.node);
    await sleep(fault.downMs);
    await brokers.restart(fault.node).catch((error: Error) => failed(`after ${describeFault(fault)}: ${error.message}`));
  }
};
