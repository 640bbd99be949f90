import { IsInt, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { BaseConfig, toInteger } from './base.config';
import { ConfigError, loadConfig } from './config.loader';
import { ConsumerConfig } from './consumer.config';

class ExpiryConfig extends BaseConfig {
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  EXPIRY_INTERVAL_SECONDS = 60;
}

const problemsOf = (load: () => unknown) => {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('fills every default when the environment says nothing', () => {
    const config = loadConfig(BaseConfig, {});
    expect(config).toMatchObject({
      KAFKA_BROKERS: '127.0.0.1:9092',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tally',
      PORT: 3000,
      TALLY_TOPIC_NAMESPACE: '',
      LOG_LEVEL: 'info',
      TALLY_KAFKA_COMPRESSION: 'none',
    });
    expect(config.TALLY_PROGRAM).toBeUndefined();
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.apiTokens.size).toBe(0);
  });

  it('takes values from the environment, converting numbers, over the service defaults', () => {
    const config = loadConfig(
      BaseConfig,
      { KAFKA_BROKERS: 'k1:9092, k2:9093', PORT: '4000', LOG_LEVEL: 'debug', TALLY_TOPIC_NAMESPACE: 't-123.', TALLY_KAFKA_COMPRESSION: 'lz4' },
      { PORT: '3002' },
    );
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.PORT).toBe(4000);
    expect(config.LOG_LEVEL).toBe('debug');
    expect(config.TALLY_TOPIC_NAMESPACE).toBe('t-123.');
    expect(config.TALLY_KAFKA_COMPRESSION).toBe('lz4');
  });

  it("uses a service's default port when PORT is unset or empty", () => {
    expect(loadConfig(BaseConfig, {}, { PORT: '3002' }).PORT).toBe(3002);
    expect(loadConfig(BaseConfig, { PORT: '' }, { PORT: '3002' }).PORT).toBe(3002);
  });

  it('ignores variables it does not declare', () => {
    const config = loadConfig(BaseConfig, { PATH: '/usr/bin', HOME: '/root' }) as unknown as Record<string, unknown>;
    expect(config.PATH).toBeUndefined();
  });

  it('reports every problem at once, each naming its variable', () => {
    const error = problemsOf(() =>
      loadConfig(BaseConfig, {
        KAFKA_BROKERS: 'k1:9092,nohost,k3:99999',
        DATABASE_URL: 'mysql://x',
        PORT: 'eighty',
        TALLY_API_TOKENS: 'abc=ops,def',
        TALLY_TOPIC_NAMESPACE: 'bad/ns',
        LOG_LEVEL: 'loud',
        TALLY_KAFKA_COMPRESSION: 'lz5',
      }),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      ['DATABASE_URL', 'KAFKA_BROKERS', 'LOG_LEVEL', 'PORT', 'TALLY_API_TOKENS', 'TALLY_KAFKA_COMPRESSION', 'TALLY_TOPIC_NAMESPACE'].sort(),
    );
    expect(error.message).toContain('Invalid configuration (7 variables)');
    expect(error.message).toMatch(/KAFKA_BROKERS: .*"nohost", "k3:99999"/);
    expect(error.message).toMatch(/PORT: must be an integer number/);
    expect(error.message).toMatch(/TALLY_API_TOKENS: entry 2: expected token=role/);
    expect(error.message).toMatch(/LOG_LEVEL: must be one of/);
    expect(error.message).toMatch(/TALLY_KAFKA_COMPRESSION: must be one of the following values: none, gzip, snappy, lz4, zstd/);
  });

  it('never shows a token in a config error', () => {
    const error = problemsOf(() => loadConfig(BaseConfig, { TALLY_API_TOKENS: 'sup3rs3cret=admin' }));
    expect(error.message).toContain('entry 1: unknown role "admin"');
    expect(error.message).not.toContain('sup3rs3cret');
  });

  it("validates a service's own variables together with the base ones", () => {
    expect(loadConfig(ExpiryConfig, { EXPIRY_INTERVAL_SECONDS: '5' }).EXPIRY_INTERVAL_SECONDS).toBe(5);
    const error = problemsOf(() => loadConfig(ExpiryConfig, { EXPIRY_INTERVAL_SECONDS: '0', PORT: '-1' }));
    expect(error.problems.map((p) => p.variable).sort()).toEqual(['EXPIRY_INTERVAL_SECONDS', 'PORT']);
  });

  it("reads a consuming service's stall time, 60 s unless set, and refuses one that is not a positive whole number", () => {
    expect(loadConfig(ConsumerConfig, {}).TALLY_CONSUMER_STALL_SECONDS).toBe(60);
    expect(loadConfig(ConsumerConfig, { TALLY_CONSUMER_STALL_SECONDS: '5' }).TALLY_CONSUMER_STALL_SECONDS).toBe(5);
    for (const bad of ['0', '-3', 'soon', '1.5']) {
      expect(problemsOf(() => loadConfig(ConsumerConfig, { TALLY_CONSUMER_STALL_SECONDS: bad })).problems.map((p) => p.variable)).toEqual([
        'TALLY_CONSUMER_STALL_SECONDS',
      ]);
    }
  });

  it('parses well-formed tokens into roles', () => {
    const config = loadConfig(BaseConfig, { TALLY_API_TOKENS: 's3cret=ops,k7=store:sh-07, r1=read' });
    expect([...config.apiTokens]).toEqual([
      ['s3cret', { kind: 'ops' }],
      ['k7', { kind: 'store', storeId: 'sh-07' }],
      ['r1', { kind: 'read' }],
    ]);
  });
});
