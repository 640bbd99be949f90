import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';

/** kafkajs' SASL mechanisms Tally offers: SCRAM for brokers that store credentials, PLAIN for those that delegate them. */
export const KAFKA_SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** What a Kafka client needs to reach a secured cluster; empty for a plaintext one. */
export interface KafkaClientSecurity {
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
}

export interface KafkaSecurityVariables {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
  KAFKA_SSL_REJECT_UNAUTHORIZED: boolean;
  KAFKA_SASL_MECHANISM: KafkaSaslMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

const tlsOptions = (vars: KafkaSecurityVariables): boolean | ConnectionOptions => {
  const files = { ca: vars.KAFKA_SSL_CA_FILE, cert: vars.KAFKA_SSL_CERT_FILE, key: vars.KAFKA_SSL_KEY_FILE };
  const read = Object.fromEntries(
    Object.entries(files)
      .filter(([, path]) => path)
      .map(([name, path]) => [name, readFileSync(path as string)]),
  );
  if (Object.keys(read).length === 0 && vars.KAFKA_SSL_REJECT_UNAUTHORIZED) return true;
  return { ...read, ...(read.ca ? { ca: [read.ca] } : {}), rejectUnauthorized: vars.KAFKA_SSL_REJECT_UNAUTHORIZED };
};

/** kafkajs' `ssl` and `sasl` options from validated variables; certificate files are read here. */
export const kafkaClientSecurity = (vars: KafkaSecurityVariables): KafkaClientSecurity => {
  const security: KafkaClientSecurity = {};
  if (vars.KAFKA_SSL) security.ssl = tlsOptions(vars);
  if (vars.KAFKA_SASL_MECHANISM !== 'none') {
    security.sasl = { mechanism: vars.KAFKA_SASL_MECHANISM, username: vars.KAFKA_SASL_USERNAME ?? '', password: vars.KAFKA_SASL_PASSWORD ?? '' } as SASLOptions;
  }
  return security;
};
