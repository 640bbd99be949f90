import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ALL_TOPICS, Topics, physicalTopicName } from '@tally/contracts';
import { BaseConfig, KafkaHealthCheck, loadConfig } from '@tally/platform';
import { ConfigResourceTypes, Kafka } from 'kafkajs';
import { createKafka } from './kafka.connection';
import { createTopicsFromEnv } from './topics/create-topics';

/**
 * Tally's clients against a broker that only speaks SASL, in plaintext and over TLS:
 * `deploy/kafka/kafka-sasl.sh` starts one (SCRAM users made at format time, PLAIN from its JAAS
 * file, a TLS certificate signed by a CA it makes) unless TALLY_SASL_KAFKA_BROKERS names one already
 * running with the script's default user (and TALLY_SASL_KAFKA_TLS_BROKERS, TALLY_SASL_KAFKA_CA_FILE
 * its TLS listener and CA).
 */
const script = join(__dirname, '../../../deploy/kafka/kafka-sasl.sh');
const port = process.env.TALLY_SASL_KAFKA_PORT ?? '19192';
const given = process.env.TALLY_SASL_KAFKA_BROKERS;
const brokers = given ?? `127.0.0.1:${port}`;
const user = process.env.TALLY_SASL_KAFKA_USER ?? 'tally';
const password = process.env.TALLY_SASL_KAFKA_PASSWORD ?? 'tally-secret';
const tlsBrokers = process.env.TALLY_SASL_KAFKA_TLS_BROKERS ?? `127.0.0.1:${process.env.TALLY_SASL_KAFKA_TLS_PORT ?? '19194'}`;
const caFile = process.env.TALLY_SASL_KAFKA_CA_FILE ?? join(process.env.TALLY_SASL_KAFKA_HOME ?? join(__dirname, '../../../.tally/kafka-sasl'), 'tls/ca.pem');
const namespace = `sasl-${Date.now().toString(36)}.`;

const envFor = (mechanism: string, secret = password): Record<string, string> => ({
  KAFKA_BROKERS: brokers,
  KAFKA_SASL_MECHANISM: mechanism,
  KAFKA_SASL_USERNAME: user,
  KAFKA_SASL_PASSWORD: secret,
  TALLY_TOPIC_NAMESPACE: namespace,
});
/** SASL over TLS, the broker's certificate checked against `ca` (none: the system's CAs). */
const tlsEnvFor = (mechanism: string, ca: string | null = caFile): Record<string, string> => ({
  ...envFor(mechanism),
  KAFKA_BROKERS: tlsBrokers,
  KAFKA_SSL: 'true',
  ...(ca ? { KAFKA_SSL_CA_FILE: ca } : {}),
});

const kafkaFrom = (env: Record<string, string>, clientId: string): Kafka => {
  const config = loadConfig(BaseConfig, env);
  return createKafka({ brokers: config.kafkaBrokers, clientId, namespace, security: config.kafkaSecurity });
};
const kafkaFor = (mechanism: string, secret = password): Kafka => kafkaFrom(envFor(mechanism, secret), `sasl-test-${mechanism}`);

/** Sends one message to the notifications topic and reads it back in a group of its own. */
const roundTrip = async (kafka: Kafka, label: string): Promise<string[]> => {
  const topic = physicalTopicName(Topics.notifications, namespace);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `${namespace}${label}` });
  await producer.connect();
  await consumer.connect();
  try {
    const value = `hello over ${label}`;
    await producer.send({ topic, messages: [{ key: label, value }] });
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string[]>((resolve) => {
      const values: string[] = [];
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (values.includes(value)) resolve(values);
        },
      });
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
};

describe('Kafka clients against a SASL broker', () => {
  jest.setTimeout(240_000);

  beforeAll(() => {
    if (!given) execFileSync('bash', [script, 'start'], { stdio: 'inherit', timeout: 200_000 });
  });

  afterAll(() => {
    if (!given) execFileSync('bash', [script, 'stop'], { stdio: 'inherit' });
  });

  it('creates every topic with the configured partitions and retention in the explicit step', async () => {
    const created = await createTopicsFromEnv({ ...envFor('scram-sha-512'), TALLY_TOPIC_PARTITIONS: '3', TALLY_TOPIC_RETENTION_MS: '86400000' });
    expect(created).toEqual(ALL_TOPICS.map((t) => physicalTopicName(t, namespace)));
    const admin = kafkaFor('scram-sha-512').admin();
    await admin.connect();
    try {
      const purchases = physicalTopicName(Topics.purchases, namespace);
      const { topics } = await admin.fetchTopicMetadata({ topics: [purchases] });
      expect(topics[0].partitions).toHaveLength(3);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: purchases, configNames: ['retention.ms'] }],
      });
      expect(resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('86400000');
    } finally {
      await admin.disconnect();
    }
  });

  it.each(['scram-sha-256', 'scram-sha-512', 'plain'])('produces and consumes with %s', async (mechanism) => {
    expect(await roundTrip(kafkaFor(mechanism), mechanism)).toContain(`hello over ${mechanism}`);
  });

  it.each(['scram-sha-512', 'plain'])('produces and consumes with %s over TLS, trusting the broker through the CA file', async (mechanism) => {
    const label = `tls-${mechanism}`;
    expect(await roundTrip(kafkaFrom(tlsEnvFor(mechanism), `sasl-test-${label}`), label)).toContain(`hello over ${label}`);
  });

  it('refuses a TLS broker whose certificate no trusted CA signed', async () => {
    const config = loadConfig(BaseConfig, tlsEnvFor('scram-sha-512', null));
    const probe = new KafkaHealthCheck(config.kafkaBrokers, 'tls-untrusted', config.kafkaSecurity);
    await expect(probe.check()).rejects.toThrow(/certificate/i);
    await probe.onModuleDestroy();
  });

  it("reports the service's health up with the right password and down with a wrong one", async () => {
    const good = loadConfig(BaseConfig, envFor('scram-sha-256'));
    const healthy = new KafkaHealthCheck(good.kafkaBrokers, 'sasl-health', good.kafkaSecurity);
    await expect(healthy.check()).resolves.toBeUndefined();
    await healthy.onModuleDestroy();
    const bad = loadConfig(BaseConfig, envFor('scram-sha-256', 'wrong'));
    const refused = new KafkaHealthCheck(bad.kafkaBrokers, 'sasl-health', bad.kafkaSecurity);
    await expect(refused.check()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed|authentication/i);
    await refused.onModuleDestroy();
  });

  it('is refused without credentials: the plaintext client cannot read the cluster', async () => {
    const plain = createKafka({ brokers: [brokers], clientId: 'sasl-test-none', namespace });
    const admin = plain.admin({ retry: { retries: 0 } });
    await expect(
      Promise.race([admin.connect().then(() => admin.listTopics()), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 10_000))]),
    ).rejects.toThrow();
    await admin.disconnect();
  });
});
