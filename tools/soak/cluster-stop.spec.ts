import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '../..');

/**
 * `cluster.sh stop` against brokers whose pid files went stale. No JVM is started: a stand-in
 * process carries a broker's command line (`kafka.Kafka <home>/server.properties`), which is all
 * the script can know a broker by once its pid file is wrong.
 */
describe('deploy/kafka/cluster.sh stop', () => {
  jest.setTimeout(30_000);
  let base: string;
  const children: ChildProcess[] = [];

  /** A process whose command line is a broker's of `home`, as `kafka.sh start` launches it. */
  const fakeBroker = (home: string): ChildProcess => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'kafka.Kafka', join(home, 'server.properties')], { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  const exited = (child: ChildProcess) => new Promise((resolve) => (alive(child) ? child.once('exit', resolve) : resolve(undefined)));
  const stop = () =>
    run('bash', ['deploy/kafka/cluster.sh', 'stop', '--brokers', '2'], {
      cwd: root,
      env: {
        ...process.env,
        TALLY_KAFKA_CLUSTER_HOME: base,
        // Ports nothing listens on: the script must find the brokers by their command line alone.
        TALLY_KAFKA_CLUSTER_PORT: '5491',
        TALLY_KAFKA_STOP_TIMEOUT: '5',
      },
      timeout: 60_000,
    });

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'tally-cluster-stop-'));
    // An existing cluster id: stop must not need the broker's jars.
    writeFileSync(join(base, 'cluster.id'), 'test-cluster-id\n');
    for (const node of ['node-1', 'node-2']) mkdirSync(join(base, node));
  });

  afterEach(() => {
    for (const child of children.splice(0)) if (alive(child)) child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  });

  it('stops a node whose pid file names a dead process, and a node whose pid file is gone', async () => {
    // given node 1's pid file naming a process that has exited, node 2 without a pid file
    const gone = spawn(process.execPath, ['-e', '0']);
    await exited(gone);
    writeFileSync(join(base, 'node-1/kafka.pid'), `${gone.pid}\n`);
    const node1 = fakeBroker(join(base, 'node-1'));
    const node2 = fakeBroker(join(base, 'node-2'));

    // when
    const { stdout } = await stop();

    // then both are stopped, found by their config
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([exited(node1), exited(node2)]), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
    expect(alive(node1)).toBe(false);
    expect(alive(node2)).toBe(false);
    expect(stdout).toContain('is stale');
  });

  it("leaves another home's broker alone, even when a stale pid file names its pid", async () => {
    // given another cluster's node whose pid the stale file of node 1 now names
    const other = mkdtempSync(join(tmpdir(), 'tally-other-home-'));
    try {
      const foreign = fakeBroker(join(other, 'node-1'));
      writeFileSync(join(base, 'node-1/kafka.pid'), `${foreign.pid}\n`);

      // when
      const { stdout } = await stop();

      // then it still runs
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(alive(foreign)).toBe(true);
      expect(stdout).toContain('not running');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
