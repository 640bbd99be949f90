import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '@tally/testing';

const run = promisify(execFile);

const listening = (hostPort: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = hostPort.split(':');
    const socket = connect(Number(port), host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** The soak's own broker or cluster (deploy/kafka/cluster.sh), so it can kill and restart them. */
export class Brokers {
  readonly list: string[];
  /**
   * One broker only: a second listener (`listen`) that advertises `advertised`, where the soak's
   * proxy listens, so that clients bootstrapped through the proxy keep going through it.
   */
  readonly proxied?: { listen: number; advertised: number };
  private readonly env: NodeJS.ProcessEnv;

  /** False when the brokers were running already: they are left running at the end. */
  private started = false;

  constructor(
    readonly count: number,
    portBase: number,
  ) {
    const port = count === 1 ? portBase + 4 : portBase + 1;
    this.list = Array.from({ length: count }, (_, i) => `127.0.0.1:${port + i}`);
    this.env = {
      ...process.env,
      TALLY_KAFKA_CLUSTER_HOME: join(ROOT, count === 1 ? '.tally/soak-kafka' : '.tally/kafka-cluster'),
      TALLY_KAFKA_CLUSTER_PORT: String(port),
      TALLY_KAFKA_CLUSTER_CONTROLLER_PORT: String(port + 5),
      // A node that rejoins a busy cluster can take minutes on a small shared host.
      TALLY_KAFKA_START_TIMEOUT: process.env.TALLY_KAFKA_START_TIMEOUT ?? '600',
    };
    if (count === 1) {
      this.proxied = { listen: port + 2, advertised: port + 3 };
      this.env.TALLY_KAFKA_PROXIED_PORT = String(this.proxied.listen);
      this.env.TALLY_KAFKA_PROXIED_ADVERTISED = `127.0.0.1:${this.proxied.advertised}`;
    }
  }

  private async cluster(...args: string[]): Promise<void> {
    await run('bash', ['deploy/kafka/cluster.sh', ...args, '--brokers', String(this.count)], { cwd: ROOT, env: this.env, timeout: 900_000 }).catch(
      (error: Error & { stdout?: string; code?: number }) => {
        // The script reports on stdout (its nodes' lines are prefixed there): say why it failed.
        throw new Error(`cluster.sh ${args.join(' ')} exited with ${String(error.code)}: ${(error.stdout ?? '').trim().split('\n').slice(-5).join(' | ')}`);
      },
    );
  }

  async start(): Promise<void> {
    const answering = await Promise.all(this.list.map((b) => listening(b)));
    if (answering.every(Boolean)) return;
    this.started = true;
    await this.cluster('start');
  }

  async stop(): Promise<void> {
    if (this.started) await this.cluster('stop');
  }

  kill = (node: number) => this.cluster('kill', String(node));
  restart = (node: number) => this.cluster('restart', String(node));
}
