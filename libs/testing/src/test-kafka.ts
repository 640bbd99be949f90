import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export const testKafkaBrokers = (): string[] => {
  const brokers = process.env.TALLY_TEST_KAFKA_BROKERS;
  if (!brokers) throw new Error('TALLY_TEST_KAFKA_BROKERS is not set: run integration tests through jest --selectProjects int');
  return brokers.split(',');
};

/** A topic and group namespace of its own for one test: `t-1a2b3c4d.` prefixed to every name. */
export const testNamespace = (): string => `t-${randomBytes(4).toString('hex')}.`;

/** A topic read from its start by a consumer group of its own, each message's JSON value kept as it comes. */
export interface FollowedTopic<T> {
  received: T[];
  stop(): Promise<void>;
}

export const followTopic = async <T>(topic: string, groupId: string): Promise<FollowedTopic<T>> => {
  const kafka = new Kafka({ clientId: groupId, brokers: testKafkaBrokers(), logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId });
  const received: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void received.push(JSON.parse(message.value?.toString() ?? 'null') as T) });
  return { received, stop: () => consumer.disconnect() };
};
