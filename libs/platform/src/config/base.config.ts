import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { ApiTokens, parseApiTokens } from '../auth/api-tokens';
import { IsApiTokens, IsBrokerList, IsPostgresUrl, IsReadableFile } from './env.validators';
import { KAFKA_SASL_MECHANISMS, KafkaClientSecurity, KafkaSaslMechanism, kafkaClientSecurity } from './kafka-security';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Kafka's compression types (`compression.type`); consumers read every one of them. */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

/** Partitions, copies and retention of the topics Tally creates. */
export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  retentionMs?: number;
}

/** Turns an all-digits string into a number; anything else stays as it is so the validator names it. */
export const toInteger = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value);

/** `true`/`false` (also 1/0, yes/no, on/off) into a boolean; anything else stays for the validator to name. */
export const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(word)) return true;
  if (['false', '0', 'no', 'off'].includes(word)) return false;
  return value;
};

const withSasl = (config: BaseConfig): boolean => config.KAFKA_SASL_MECHANISM !== 'none';
const REQUIRED_WITH_SASL = { message: 'is required when KAFKA_SASL_MECHANISM is set' };

/**
 * What every Tally service reads from its environment. Services extend it with their own
 * variables; defaults are field initializers and are overridden by the environment.
 *
 * Decorators run bottom-up and the loader stops at a variable's first problem, so the most basic
 * check goes last: `PORT=eighty` is "not an integer", not also "less than 0".
 */
export class BaseConfig {
  @IsBrokerList()
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsPostgresUrl()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/tally';

  /** Path of a program-rules file; unset means the built-in program. */
  @IsOptional()
  @IsString()
  TALLY_PROGRAM?: string;

  @Transform(toInteger)
  @Max(65535)
  @Min(0)
  @IsInt()
  PORT = 3000;

  @IsOptional()
  @IsApiTokens()
  TALLY_API_TOKENS?: string;

  /** Prefix of every physical topic (and consumer group) name; tests isolate runs with it. */
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'TALLY_TOPIC_NAMESPACE may only contain [A-Za-z0-9._-]' })
  @MaxLength(100)
  @IsString()
  TALLY_TOPIC_NAMESPACE = '';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** How Tally's producers compress what they send. */
  @IsIn(KAFKA_COMPRESSIONS)
  TALLY_KAFKA_COMPRESSION: KafkaCompression = 'none';

  /** TLS to the brokers (SSL or SASL_SSL listeners); with no CA file, the system's CAs. */
  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_SSL = false;

  @IsOptional()
  @IsReadableFile()
  KAFKA_SSL_CA_FILE?: string;

  /** Client certificate and key, for brokers that authenticate clients by TLS (mTLS). */
  @IsOptional()
  @IsReadableFile()
  KAFKA_SSL_CERT_FILE?: string;

  @IsOptional()
  @IsReadableFile()
  KAFKA_SSL_KEY_FILE?: string;

  /** `false` accepts any broker certificate: for a test cluster with self-signed certificates only. */
  @Transform(toBoolean)
  @IsBoolean()
  KAFKA_SSL_REJECT_UNAUTHORIZED = true;

  @IsIn(KAFKA_SASL_MECHANISMS)
  KAFKA_SASL_MECHANISM: KafkaSaslMechanism = 'none';

  @ValidateIf(withSasl)
  @IsNotEmpty(REQUIRED_WITH_SASL)
  @IsString(REQUIRED_WITH_SASL)
  KAFKA_SASL_USERNAME?: string;

  @ValidateIf(withSasl)
  @IsNotEmpty(REQUIRED_WITH_SASL)
  @IsString(REQUIRED_WITH_SASL)
  KAFKA_SASL_PASSWORD?: string;

  /** Partitions of each topic Tally creates; consumers of one group never outnumber them usefully. */
  @Transform(toInteger)
  @Max(10_000)
  @Min(1)
  @IsInt()
  TALLY_TOPIC_PARTITIONS = 8;

  /** Copies of each partition Tally creates; 3 on a production cluster, 1 on a single broker. */
  @Transform(toInteger)
  @Max(32)
  @Min(1)
  @IsInt()
  TALLY_TOPIC_REPLICATION_FACTOR = 1;

  /** `retention.ms` of each topic Tally creates; unset keeps the broker's default, -1 keeps every record. */
  @IsOptional()
  @Transform(toInteger)
  @Min(-1)
  @IsInt()
  TALLY_TOPIC_RETENTION_MS?: number;

  /** `on`: the producers are idempotent (no duplicate from a retried send after a leader moves); they always wait for every in-sync replica. */
  @IsIn(['on', 'off'])
  TALLY_KAFKA_IDEMPOTENT: 'on' | 'off' = 'off';

  /**
   * Member states each process keeps folded in memory between appends (0: none). A state is
   * about 3 KiB for a member with 5 purchases and 7 KiB with 15; a miss folds the member's latest
   * snapshot and the events since.
   */
  @Transform(toInteger)
  @Max(10_000_000)
  @Min(0)
  @IsInt()
  TALLY_STATE_CACHE_SIZE = 50_000;

  /** `compact`: cached states kept as one text each (far less memory, more CPU a take); `objects`: as folded. */
  @IsIn(['compact', 'objects'])
  TALLY_STATE_CACHE_ENCODING: 'compact' | 'objects' = 'objects';

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',').map((broker) => broker.trim());
  }

  /** kafkajs' `ssl` and `sasl` for every client the service makes (consumers, producers, admins, health probes). */
  get kafkaSecurity(): KafkaClientSecurity {
    return kafkaClientSecurity(this);
  }

  /** How Tally creates its topics (existing topics keep theirs). */
  get topicLayout(): TopicLayout {
    return { partitions: this.TALLY_TOPIC_PARTITIONS, replicationFactor: this.TALLY_TOPIC_REPLICATION_FACTOR, retentionMs: this.TALLY_TOPIC_RETENTION_MS };
  }

  get apiTokens(): ApiTokens {
    return parseApiTokens(this.TALLY_API_TOKENS).tokens;
  }
}
