import { provideInfrastructure, saveInfrastructure } from './infrastructure';

export default async function globalSetup(): Promise<void> {
  const infra = await provideInfrastructure();
  saveInfrastructure(infra);
  // Workers are forked after this runs, so they inherit these.
  process.env.TALLY_TEST_KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.TALLY_TEST_DATABASE_URL = infra.databaseUrl;
}
