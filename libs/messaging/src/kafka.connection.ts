import { Topic, physicalTopicName } from '@tally/contracts';
import { Logger } from '@nestjs/common';
import { Admin, Kafka, LogEntry, logLevel } from 'kafkajs';

const kafkaLogger = new Logger('kafkajs');

/** Errors kafkajs logs although it retries them itself (leader moves, coordinators loading). */
const RETRIED = /not the leader|coordinator is (loading|not available)|leadership election|rebalanc|Topic creation errors/i;

/** kafkajs logs through the service logger; what it retries by itself is debug noise, not an error. */
const kafkaLogCreator = () => ({ level, log }: LogEntry) => {
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
}

export const createKafka = (settings: KafkaSettings): Kafka =>
  new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    retry: { initialRetryTime: 200, retries: 8 },
  });

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

/** Creates the topics that do not exist yet (existing ones are left as they are) and waits for their leaders. */
export const ensureTopics = async (admin: Admin, namespace: string, topics: readonly Topic<unknown>[], partitions = 4): Promise<void> => {
  const wanted = topics.map((t) => physicalTopicName(t, namespace));
  const missing = async () => {
    const existing = new Set(await admin.listTopics());
    return wanted.filter((name) => !existing.has(name));
  };
  const toCreate = await missing();
  if (toCreate.length > 0) {
    try {
      await admin.createTopics({ waitForLeaders: false, topics: toCreate.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
    } catch (error) {
      // Another service created some of them meanwhile: fine, as long as they all exist now.
      if ((await missing()).length > 0) throw error;
    }
  }
  await waitForLeaders(admin, wanted);
};
