import { Topic, Topics, physicalTopicName } from '@tally/contracts';
import { Logger } from '@nestjs/common';
import type { KafkaClientSecurity, KafkaCompression, TopicLayout } from '@tally/platform';
import { Admin, ConfigResourceTypes, ConfigSource, Kafka, LogEntry, logLevel } from 'kafkajs';
import { registerCompressionCodecs } from './compression';
import { DEAD_LETTER_TOPIC_MAX_BYTES } from './dead-letter.packer';
import { assertReadsCommittedOnly } from './read-committed.guard';

const kafkaLogger = new Logger('kafkajs');

/** Errors kafkajs logs although it retries them itself (leader moves, coordinators loading). */
const RETRIED = /not the leader|coordinator is (loading|not available)|leadership election|rebalanc|Topic creation errors/i;

/** kafkajs logs through the service logger; what it retries by itself is debug noise, not an error. */
const kafkaLogCreator =
  () =>
  ({ level, log }: LogEntry) => {
    const text = `${log.message}${log.error ? `: ${String(log.error)}` : ''}`;
    if (level <= logLevel.ERROR && !RETRIED.test(text)) kafkaLogger.error(text);
    else if (level <= logLevel.WARN && !RETRIED.test(text)) kafkaLogger.warn(text);
    else kafkaLogger.debug(text);
  };

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prefix of every physical topic and group name (empty in production; tests isolate with it). */
  namespace: string;
  /** How the producer compresses what it sends (default none); consumers read every codec whatever this is. */
  compression?: KafkaCompression;
  /** TLS and SASL for a secured cluster (`BaseConfig.kafkaSecurity`); none for a plaintext one. */
  security?: KafkaClientSecurity;
  /** Idempotent producers (kafkajs `idempotent`); off by default, see TypedProducer. */
  idempotent?: boolean;
}

/** The one place Tally makes its Kafka client, so every consumer and producer has every codec and reads committed records only. */
export const createKafka = (settings: KafkaSettings): Kafka => {
  registerCompressionCodecs();
  assertReadsCommittedOnly();
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...settings.security,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    retry: { initialRetryTime: 200, retries: 8 },
  });
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every partition of `topics` has a leader. kafkajs' own `waitForLeaders` gives up on
 * the UNKNOWN_TOPIC_OR_PARTITION a freshly started broker answers for a topic it created a moment ago.
 */
const waitForLeaders = async (admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > until) throw error;
    }
    if (Date.now() > until) throw new Error(`topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await sleep(200);
  }
};

/**
 * Limits that differ from the broker's defaults, by contract topic name: a dead letter holds its
 * original (base64) and headers, so it is bigger than any input the input topics accept.
 */
const TOPIC_LIMITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  [Topics.deadLetters.name]: { 'max.message.bytes': DEAD_LETTER_TOPIC_MAX_BYTES },
};

const configEntries = (limits: Readonly<Record<string, number>>) => Object.entries(limits).map(([name, value]) => ({ name, value: String(value) }));

/**
 * An existing topic keeps its settings, except that a limit below ours is raised. kafkajs only has
 * the non-incremental AlterConfigs, which resets whatever it is not given, so the topic's own
 * overrides are sent along. Not being allowed to is no reason to stop a service: a dead letter too
 * large for its topic is sent without its value (see `publishDeadLetters`).
 */
const raiseLimits = async (admin: Admin, topics: { name: string; limits: Readonly<Record<string, number>> }[]): Promise<void> => {
  if (topics.length === 0) return;
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map(({ name }) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const { name, limits } of topics) {
      const current = resources.find((r) => r.resourceName === name)?.configEntries ?? [];
      const low = Object.fromEntries(
        Object.entries(limits).filter(([key, wanted]) => Number(current.find((e) => e.configName === key)?.configValue ?? 0) < wanted),
      );
      if (Object.keys(low).length === 0) continue;
      const kept = current
        .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG && !(e.configName in low))
        .map((e) => ({ name: e.configName, value: e.configValue }));
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name, configEntries: [...kept, ...configEntries(low)] }],
      });
    }
  } catch (error) {
    kafkaLogger.warn(`could not raise topic limits (${topics.map((t) => t.name).join(', ')}): ${String(error)}`);
  }
};

/** What a new topic is created with: the layout's retention, then the topic's own limits. */
const creationEntries = (layout: TopicLayout, limits: Readonly<Record<string, number>>) =>
  configEntries({ ...(layout.retentionMs === undefined ? {} : { 'retention.ms': layout.retentionMs }), ...limits });

const asLayout = (layout: TopicLayout | number): TopicLayout => (typeof layout === 'number' ? { partitions: layout, replicationFactor: 1 } : layout);

/**
 * Creates the topics that do not exist yet, with the layout's partitions, replicas and retention
 * and their limits, raises the limits of those that do (nothing else about them changes) and
 * waits for their leaders. A bare number is a partition count on a single broker.
 */
export const ensureTopics = async (
  admin: Admin,
  namespace: string,
  topics: readonly Topic<unknown>[],
  layoutOrPartitions: TopicLayout | number = 4,
): Promise<void> => {
  const layout = asLayout(layoutOrPartitions);
  const wanted = topics.map((t) => ({ name: physicalTopicName(t, namespace), limits: TOPIC_LIMITS[t.name] ?? {} }));
  const missing = async () => {
    const existing = new Set(await admin.listTopics());
    return wanted.filter(({ name }) => !existing.has(name));
  };
  const toCreate = await missing();
  if (toCreate.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: toCreate.map(({ name, limits }) => ({
          topic: name,
          numPartitions: layout.partitions,
          replicationFactor: layout.replicationFactor,
          configEntries: creationEntries(layout, limits),
        })),
      });
    } catch (error) {
      // Another service created some of them meanwhile: fine, as long as they all exist now.
      if ((await missing()).length > 0) throw error;
    }
  }
  await raiseLimits(
    admin,
    wanted.filter((t) => !toCreate.includes(t) && Object.keys(t.limits).length > 0),
  );
  await waitForLeaders(
    admin,
    wanted.map(({ name }) => name),
  );
};
