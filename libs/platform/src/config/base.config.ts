import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ApiTokens, parseApiTokens } from '../auth/api-tokens';
import { IsApiTokens, IsBrokerList, IsPostgresUrl } from './env.validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Kafka's compression types (`compression.type`); consumers read every one of them. */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

/** Turns an all-digits string into a number; anything else stays as it is so the validator names it. */
export const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

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

  /** Partitions of each topic a service creates (an existing topic keeps its own). */
  @Transform(toInteger)
  @Max(1000)
  @Min(1)
  @IsInt()
  TALLY_TOPIC_PARTITIONS = 8;

  /** Replicas of each topic a service creates: 3 on a 3-broker cluster (with min.insync.replicas 2), 1 on a single broker. */
  @Transform(toInteger)
  @Max(16)
  @Min(1)
  @IsInt()
  TALLY_TOPIC_REPLICATION_FACTOR = 1;

  /** How Tally's producers compress what they send. */
  @IsIn(KAFKA_COMPRESSIONS)
  TALLY_KAFKA_COMPRESSION: KafkaCompression = 'none';

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

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',').map((broker) => broker.trim());
  }

  get apiTokens(): ApiTokens {
    return parseApiTokens(this.TALLY_API_TOKENS).tokens;
  }
}
