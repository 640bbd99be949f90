import { testKafkaBrokers } from './test-kafka';

/** The environment a service started inside a test runs with: the test's broker, database, tokens and topic namespace, quiet logs, any free port. */
export const serviceTestEnv = (databaseUrl: string, namespace: string, tokens: string): Record<string, string> => ({
  KAFKA_BROKERS: testKafkaBrokers().join(','),
  DATABASE_URL: databaseUrl,
  TALLY_API_TOKENS: tokens,
  TALLY_TOPIC_NAMESPACE: namespace,
  LOG_LEVEL: 'warn',
  PORT: '0',
});
