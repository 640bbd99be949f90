import { randomBytes } from 'node:crypto';

export const testKafkaBrokers = (): string[] => {
  const brokers = process.env.TALLY_TEST_KAFKA_BROKERS;
  if (!brokers) throw new Error('TALLY_TEST_KAFKA_BROKERS is not set: run integration tests through jest --selectProjects int');
  return brokers.split(',');
};

/** A topic and group namespace of its own for one test: `t-1a2b3c4d.` prefixed to every name. */
export const testNamespace = (): string => `t-${randomBytes(4).toString('hex')}.`;
