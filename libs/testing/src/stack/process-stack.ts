import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topics } from '@tally/contracts';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { sleep } from '../eventually';
import { Client } from 'pg';

export const ROOT = join(__dirname, '../../../..');

export type ServiceName = 'ledger' | 'earn' | 'redeem' | 'tier' | 'expiry';

/** One OS process of a service: `earn#2` is earn's second instance. */
export interface Instance {
  id: string;
  service: ServiceName;
  port: number;
  child?: ChildProcess;
  /** Settings of this process alone (a second consumer group, say). */
  env?: Record<string, string>;
}

export interface StackOptions {
  /** Names the database (`tally_<label>`), the namespace (`<label>.`) and the log folder. */
  label: string;
  portBase: number;
  brokers: string[];
  /** How many processes of each service (default one each). */
  instances?: Partial<Record<ServiceName, number>>;
  env?: Record<string, string>;
}

export const OPS_TOKEN = 'stack-ops-token';
export const READ_TOKEN = 'stack-read-token';
export const STORE_TOKEN = 'stack-store-token';
export const STORE_ID = 'st-1';
const TOKENS = `${OPS_TOKEN}=ops,${READ_TOKEN}=read,${STORE_TOKEN}=store:${STORE_ID}`;

const INPUT_TOPIC_NAMES = [Topics.purchases, Topics.checkIns, Topics.referrals, Topics.memberEvents].map((t) => t.name);

/** True once `groupId` has committed, on every partition of `topics` (contract names), up to the end of the log. */
export const groupCaughtUp = async (admin: Admin, namespace: string, groupId: string, topics = INPUT_TOPIC_NAMES): Promise<boolean> => {
  for (const topic of topics) {
    const name = `${namespace}${topic}`;
    const ends = await admin.fetchTopicOffsets(name);
    const [committed] = await admin.fetchOffsets({ groupId: `${namespace}${groupId}`, topics: [name] });
    for (const end of ends) {
      const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      if (end.high !== '0' && at !== end.high) return false;
    }
  }
  return true;
};

const SERVICES: ServiceName[] = ['ledger', 'earn', 'redeem', 'tier', 'expiry'];
const nodeFlags = JSON.parse(readFileSync(join(ROOT, 'tools/infra/service-node-flags.json'), 'utf8')) as Record<string, string[]>;

/**
 * The real stack as separate OS processes, run from dist/ as `npm start` runs it, on a database
 * and topic namespace of its own. Processes can be killed and started again by id.
 */
export class Stack {
  readonly namespace: string;
  readonly databaseUrl: string;
  readonly instances: Instance[] = [];
  readonly logs: string;
  kafka!: Kafka;
  admin!: Admin;
  sql!: Client;

  constructor(private readonly options: StackOptions) {
    // A namespace per run: topics of an earlier run with the same seed (dead letters, offsets) must not count.
    this.namespace = `${options.label}-${Date.now().toString(36)}.`;
    const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = `/tally_${options.label.replace(/[^a-z0-9_]/gi, '_')}`;
    this.databaseUrl = url.toString();
    this.logs = join(ROOT, '.tally/logs', options.label);
    let port = options.portBase;
    for (const service of SERVICES) {
      for (let n = 1; n <= (options.instances?.[service] ?? 1); n++) this.instances.push({ id: `${service}#${n}`, service, port: port++ });
    }
  }

  /** Builds dist/, makes the database afresh and migrates it, and connects an admin and SQL client. */
  async prepare(build = true): Promise<void> {
    mkdirSync(this.logs, { recursive: true });
    if (build) execFileSync('node', ['tools/build/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
    const admin = new Client({ connectionString: this.databaseUrl.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(this.databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
    execFileSync('node', ['tools/infra/migrate.cjs', this.databaseUrl], { cwd: ROOT, stdio: 'ignore' });
    this.sql = new Client({ connectionString: this.databaseUrl });
    await this.sql.connect();
    this.kafka = new Kafka({ clientId: `stack-${this.options.label}`, brokers: this.options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 20 } });
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  url(service: ServiceName): string {
    const live = this.instances.filter((i) => i.service === service);
    const up = live.find((i) => i.child && i.child.exitCode === null && i.child.signalCode === null) ?? live[0];
    return `http://127.0.0.1:${up.port}`;
  }

  urls(service: ServiceName): string[] {
    return this.instances.filter((i) => i.service === service).map((i) => `http://127.0.0.1:${i.port}`);
  }

  instance(id: string): Instance {
    const found = this.instances.find((i) => i.id === id);
    if (!found) throw new Error(`no instance ${id}`);
    return found;
  }

  startInstance(instance: Instance): void {
    const log = createWriteStream(join(this.logs, `${instance.id.replace('#', '-')}.log`), { flags: 'a' });
    const child = spawn('node', [...nodeFlags.every, ...(nodeFlags[instance.service] ?? []), `dist/apps/${instance.service}/src/main.js`], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(instance.port),
        DATABASE_URL: this.databaseUrl,
        KAFKA_BROKERS: this.options.brokers.join(','),
        TALLY_API_TOKENS: TOKENS,
        TALLY_TOPIC_NAMESPACE: this.namespace,
        LOG_LEVEL: 'warn',
        ...this.options.env,
        ...instance.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    instance.child = child;
  }

  async waitHealthy(instance: Instance, seconds = 120): Promise<void> {
    for (let i = 0; i < seconds * 4; i++) {
      if (instance.child?.exitCode !== null && instance.child?.exitCode !== undefined)
        throw new Error(`${instance.id} exited with ${instance.child.exitCode}: see ${this.logs}`);
      try {
        if ((await fetch(`http://127.0.0.1:${instance.port}/health`, { signal: AbortSignal.timeout(3000) })).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`${instance.id} not healthy on port ${instance.port} after ${seconds} s: see ${this.logs}`);
  }

  /** Ledger first (it migrates and creates the topics), then the rest at once. */
  async startAll(): Promise<void> {
    const [first, ...rest] = this.instances;
    this.startInstance(first);
    await this.waitHealthy(first, 300);
    for (const instance of rest) this.startInstance(instance);
    for (const instance of rest) await this.waitHealthy(instance, 300);
  }

  async kill(instance: Instance, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = instance.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  async stop(dropTopics = false): Promise<void> {
    for (const instance of this.instances) await this.kill(instance, 'SIGTERM');
    if (dropTopics) {
      const mine = (await this.admin.listTopics().catch(() => [])).filter((t) => t.startsWith(this.namespace));
      await this.admin.deleteTopics({ topics: mine }).catch(() => undefined);
    }
    await this.admin?.disconnect().catch(() => undefined);
    await this.sql?.end().catch(() => undefined);
  }

  topic(name: string): string {
    return `${this.namespace}${name}`;
  }

  /** True once `groupId` (contract name) has committed every input topic partition up to its end. */
  caughtUp(groupId = 'tally-earn', topics = INPUT_TOPIC_NAMES): Promise<boolean> {
    return groupCaughtUp(this.admin, this.namespace, groupId, topics);
  }

  /** Sum of the committed offsets of `groupId` on the input topics: moves while the consumer makes progress. */
  private async committed(groupId: string): Promise<number> {
    let total = 0;
    for (const topic of [Topics.purchases, Topics.checkIns, Topics.referrals, Topics.memberEvents]) {
      const [committed] = await this.admin.fetchOffsets({ groupId: `${this.namespace}${groupId}`, topics: [this.topic(topic.name)] });
      for (const p of committed.partitions) total += Math.max(0, Number(p.offset));
    }
    return total;
  }

  /**
   * Waits until `groupId` has caught up; undefined then, else why not: its commits did not move
   * for `stallSeconds` (a stalled consumer) or it was still behind after `maxSeconds`.
   */
  async waitProgress(stallSeconds: number, maxSeconds: number, groupId = 'tally-earn'): Promise<string | undefined> {
    const until = Date.now() + maxSeconds * 1000;
    let last = -1;
    let movedAt = Date.now();
    while (Date.now() < until) {
      if (await this.caughtUp(groupId).catch(() => false)) return undefined;
      const now = await this.committed(groupId).catch(() => last);
      if (now !== last) {
        last = now;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > stallSeconds * 1000) return `no offset committed for ${stallSeconds} s while inputs wait`;
      await sleep(1000);
    }
    return `still behind after ${maxSeconds} s`;
  }

  async waitCaughtUp(seconds: number, groupId?: string, topics?: string[]): Promise<boolean> {
    for (let i = 0; i < seconds * 2; i++) {
      if (await this.caughtUp(groupId, topics).catch(() => false)) return true;
      await sleep(500);
    }
    return false;
  }
}
