import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '../..');

/**
 * The soak's broker fault: a broker killed with SIGKILL and started again. A real broker (one JVM,
 * on ports of its own) in a home of its own.
 */
describe('deploy/kafka/kafka.sh start after a crash', () => {
  const home = mkdtempSync(join(tmpdir(), 'tally-kafka-restart-'));
  const env = {
    ...process.env,
    TALLY_KAFKA_HOME: home,
    TALLY_KAFKA_PORT: '5495',
    TALLY_KAFKA_CONTROLLER_PORT: '5496',
    TALLY_KAFKA_HEAP_OPTS: '-Xms128m -Xmx256m',
    TALLY_KAFKA_START_TIMEOUT: '300',
    TALLY_KAFKA_STOP_TIMEOUT: '20',
  };
  const kafka = (command: string) => run('bash', ['deploy/kafka/kafka.sh', command], { cwd: root, env, timeout: 400_000 });
  const pidFile = () => Number(readFileSync(join(home, 'kafka.pid'), 'utf8').trim());
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  afterAll(async () => {
    await kafka('stop').catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  it('starts again and reports ready, its pid file naming the new broker', async () => {
    // given a broker that crashed, its pid file left behind
    await kafka('start');
    const crashed = pidFile();
    process.kill(crashed, 'SIGKILL');
    while (alive(crashed)) await new Promise((resolve) => setTimeout(resolve, 100));

    // when it is started again, then the start succeeds (it took the dead pid for the new broker dying)
    const { stdout } = await kafka('start');
    expect(stdout).toContain('ready on');
    const restarted = pidFile();
    expect(restarted).not.toBe(crashed);
    expect(readFileSync(`/proc/${restarted}/cmdline`, 'utf8').split('\0')).toContain('kafka.Kafka');

    // and stop finds it
    await kafka('stop');
    expect(alive(restarted)).toBe(false);
  });
});
