import { Topic, physicalTopicName } from '@tally/contracts';
import { Admin, Kafka, logLevel } from 'kafkajs';

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
    logLevel: logLevel.ERROR,
    retry: { initialRetryTime: 200, retries: 8 },
  });

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export const ensureTopics = async (admin: Admin, namespace: string, topics: readonly Topic<unknown>[], partitions = 4): Promise<void> => {
  const existing = new Set(await admin.listTopics());
  const missing = topics.map((t) => physicalTopicName(t, namespace)).filter((name) => !existing.has(name));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  });
};
