import { ALL_TOPICS, physicalTopicName } from '@tally/contracts';
import { BaseConfig, Env, loadConfig } from '@tally/platform';
import { createKafka, ensureTopics } from '../kafka.connection';

/**
 * The explicit step of a deployment that creates every contract topic (the services create them
 * on start too, which a cluster that forbids their principal to create topics refuses): the same
 * variables as the services, so the same brokers, security and layout.
 */
export const createTopicsFromEnv = async (env: Env = process.env): Promise<string[]> => {
  const config = loadConfig(BaseConfig, env);
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: 'tally-topics',
    namespace: config.TALLY_TOPIC_NAMESPACE,
    security: config.kafkaSecurity,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, config.TALLY_TOPIC_NAMESPACE, ALL_TOPICS, config.topicLayout);
  } finally {
    await admin.disconnect();
  }
  return ALL_TOPICS.map((topic) => physicalTopicName(topic, config.TALLY_TOPIC_NAMESPACE));
};
