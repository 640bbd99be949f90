import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
export const REPO_ROOT = join(__dirname, '../../../..');
const STATE_FILE = join(REPO_ROOT, '.tally/test-infrastructure.json');

/** How the integration tests reach real infrastructure, and what they must stop afterwards. */
export interface TestInfrastructure {
  kafkaBrokers: string;
  databaseUrl: string;
  source: 'environment' | 'testcontainers' | 'local';
  startedKafka: boolean;
  containerIds: string[];
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const dockerEngineAnswers = (): boolean => {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
};

const postgresAnswers = async (url: string): Promise<boolean> => {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};

const startWithTestcontainers = async (): Promise<TestInfrastructure> => {
  const { GenericContainer, Wait } = await import('testcontainers');
  const postgres = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
    .start();
  const kafkaPort = 19092;
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    kafkaBrokers: `127.0.0.1:${kafkaPort}`,
    databaseUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    source: 'testcontainers',
    startedKafka: false,
    containerIds: [postgres.getId(), kafka.getId()],
  };
};

const startLocal = async (): Promise<TestInfrastructure> => {
  const databaseUrl = DEFAULT_DATABASE_URL;
  if (!(await postgresAnswers(databaseUrl))) {
    throw new Error(`PostgreSQL does not answer at ${databaseUrl}: start it (see .ci/run) or set DATABASE_URL`);
  }
  const status = await run('bash', [join(REPO_ROOT, 'deploy/kafka/kafka.sh'), 'status']).then(
    () => true,
    () => false,
  );
  if (!status) await run('bash', [join(REPO_ROOT, 'deploy/kafka/kafka.sh'), 'start'], { maxBuffer: 10 * 1024 * 1024 });
  return { kafkaBrokers: '127.0.0.1:9092', databaseUrl, source: 'local', startedKafka: !status, containerIds: [] };
};

/**
 * Real infrastructure for integration tests, in this order: what the environment names
 * (KAFKA_BROKERS and DATABASE_URL), containers when a Docker engine answers, else the local
 * PostgreSQL and a broker started from deploy/kafka.
 */
export const provideInfrastructure = async (env = process.env): Promise<TestInfrastructure> => {
  if (env.KAFKA_BROKERS && env.DATABASE_URL) {
    return { kafkaBrokers: env.KAFKA_BROKERS, databaseUrl: env.DATABASE_URL, source: 'environment', startedKafka: false, containerIds: [] };
  }
  return dockerEngineAnswers() ? startWithTestcontainers() : startLocal();
};

export const saveInfrastructure = (infra: TestInfrastructure): void => {
  mkdirSync(join(REPO_ROOT, '.tally'), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(infra));
};

export const loadInfrastructure = (): TestInfrastructure | undefined =>
  existsSync(STATE_FILE) ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as TestInfrastructure) : undefined;

export const releaseInfrastructure = async (infra: TestInfrastructure): Promise<void> => {
  if (infra.startedKafka) await run('bash', [join(REPO_ROOT, 'deploy/kafka/kafka.sh'), 'stop']);
  for (const id of infra.containerIds) await run('docker', ['rm', '-f', id]).catch(() => undefined);
};
