import { DynamicModule, Provider } from '@nestjs/common';
import { LedgerModule } from '@tally/ledger';
import { MessagingModule } from '@tally/messaging';
import { BaseConfig, PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';
import { Program, loadProgram } from '@tally/program';

/** The loaded program (TALLY_PROGRAM, else the built-in one), the same token in every service. */
export const PROGRAM = Symbol('PROGRAM');

export interface ServiceKitOptions {
  service: string;
  config: BaseConfig;
  /** The Kafka client and producer: every service publishes or consumes (redeem: step-up codes). */
  messaging?: boolean;
}

/** The Kafka client's settings from the service's config: brokers, security, compression and topic layout. */
export const messagingSettings = (service: string, config: BaseConfig) => ({
  brokers: config.kafkaBrokers,
  clientId: `tally-${service}`,
  namespace: config.TALLY_TOPIC_NAMESPACE,
  compression: config.TALLY_KAFKA_COMPRESSION,
  security: config.kafkaSecurity,
  topics: config.topicLayout,
  idempotent: config.TALLY_KAFKA_IDEMPOTENT === 'on',
});

/** What every Tally service is built on: platform (config, auth, logs, metrics, health), the ledger, Kafka. */
export const serviceImports = ({ service, config, messaging = true }: ServiceKitOptions): DynamicModule[] => [
  PlatformModule.forRoot({ service, config }),
  LedgerModule.forRoot({
    databaseUrl: config.DATABASE_URL,
    stateCacheSize: config.TALLY_STATE_CACHE_SIZE,
    stateCacheEncoding: config.TALLY_STATE_CACHE_ENCODING,
  }),
  ...(messaging ? [MessagingModule.forRoot(messagingSettings(service, config))] : []),
];

/** Readiness checks of PostgreSQL and Kafka, and the program, for every service. */
export const serviceProviders = ({ service, config }: ServiceKitOptions): Provider[] => [
  postgresHealthCheck(config.DATABASE_URL),
  kafkaHealthCheck(config.kafkaBrokers, `tally-${service}-health`, config.kafkaSecurity),
  { provide: PROGRAM, useFactory: (): Program => loadProgram(config.TALLY_PROGRAM) },
];
