import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseConfig } from './base.config';
import { ConfigError, loadConfig } from './config.loader';

const problemsOf = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(BaseConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('Kafka security and topic layout in the config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-kafka-tls-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  it('connects in plaintext with no SASL and creates 8 partitions, 1 copy, broker retention unless told', () => {
    const config = loadConfig(BaseConfig, {});
    expect(config.kafkaSecurity).toEqual({});
    expect(config.topicLayout).toEqual({ partitions: 8, replicationFactor: 1, retentionMs: undefined });
  });

  it('hands kafkajs SCRAM credentials over TLS with the CA file read', () => {
    const config = loadConfig(BaseConfig, {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'tally',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    const { ssl, sasl } = config.kafkaSecurity;
    expect(sasl).toEqual({ mechanism: 'scram-sha-512', username: 'tally', password: 'pw' });
    expect(ssl).toMatchObject({ rejectUnauthorized: true });
    expect(String((ssl as { ca: Buffer[] }).ca[0])).toContain('BEGIN CERTIFICATE');
  });

  it('uses the system CAs when TLS is on without files, and PLAIN or SCRAM-SHA-256 when named', () => {
    expect(loadConfig(BaseConfig, { KAFKA_SSL: 'on' }).kafkaSecurity).toEqual({ ssl: true });
    for (const mechanism of ['plain', 'scram-sha-256']) {
      const security = loadConfig(BaseConfig, { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).kafkaSecurity;
      expect(security).toEqual({ sasl: { mechanism, username: 'u', password: 'p' } });
    }
  });

  it('takes the topic layout from TALLY_TOPIC_PARTITIONS, _REPLICATION_FACTOR and _RETENTION_MS', () => {
    const config = loadConfig(BaseConfig, { TALLY_TOPIC_PARTITIONS: '24', TALLY_TOPIC_REPLICATION_FACTOR: '3', TALLY_TOPIC_RETENTION_MS: '-1' });
    expect(config.topicLayout).toEqual({ partitions: 24, replicationFactor: 3, retentionMs: -1 });
  });

  it('refuses, all at once, a mechanism it does not know, missing credentials, unreadable files and bad layouts', () => {
    const error = problemsOf({
      KAFKA_SSL: 'maybe',
      KAFKA_SSL_CA_FILE: join(dir, 'missing.pem'),
      KAFKA_SASL_MECHANISM: 'gssapi',
      TALLY_TOPIC_PARTITIONS: '0',
      TALLY_TOPIC_REPLICATION_FACTOR: 'three',
      TALLY_TOPIC_RETENTION_MS: '-2',
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      [
        'KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_PASSWORD',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SSL',
        'KAFKA_SSL_CA_FILE',
        'TALLY_TOPIC_PARTITIONS',
        'TALLY_TOPIC_REPLICATION_FACTOR',
        'TALLY_TOPIC_RETENTION_MS',
      ].sort(),
    );
    expect(error.message).toContain(`KAFKA_SSL_CA_FILE: cannot read ${join(dir, 'missing.pem')}`);
  });

  it('requires a username and password with SASL, and never shows the password', () => {
    const missing = problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256' });
    expect(missing.problems).toEqual([
      { variable: 'KAFKA_SASL_USERNAME', problems: ['is required when KAFKA_SASL_MECHANISM is set'] },
      { variable: 'KAFKA_SASL_PASSWORD', problems: ['is required when KAFKA_SASL_MECHANISM is set'] },
    ]);
    const other = problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2', PORT: 'x' });
    expect(other.message).not.toContain('hunter2');
  });
});
