import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { TransientError, isInfrastructureError, isTooLarge } from './infrastructure-error';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

/** A broker answer as kafkajs builds it from the protocol's error table (its typings do not declare that constructor). */
const brokerAnswer = (type: string, retriable: boolean) => new KafkaJSProtocolError({ type, code: 0, retriable, message: type } as unknown as Error);

/** What kafkajs 2 throws when the broker refuses a batch over the topic's max.message.bytes. */
const tooLarge = () => Object.assign(new KafkaJSNonRetriableError('larger than the max message size'), { cause: brokerAnswer('MESSAGE_TOO_LARGE', false) });

describe('which failures retry the whole batch instead of blaming a message', () => {
  it.each([
    ['a connection that PostgreSQL closed', withCode('57P01', 'terminating connection due to administrator command')],
    ['a connection that could not be made', withCode('ECONNREFUSED')],
    ['a connection pg lost mid-query (no SQLSTATE)', new Error('Connection terminated unexpectedly')],
    ['a pool that could not hand out a connection in time', new Error('timeout exceeded when trying to connect')],
    ['a pool closed by a service shutting down', new Error('Cannot use a pool after calling end on the pool')],
    ['a database that does not allow connections', withCode('55000', 'database "t" is not currently accepting connections')],
    ['a deadlock the store gave up retrying', withCode('40P01', 'deadlock detected')],
    ['a lock wait that timed out', withCode('55P03', 'canceling statement due to lock timeout')],
    ['a conflict a library declares transient', new TransientError('still conflicting after 8 attempts')],
    ['several connections failing at once', new AggregateError([withCode('ECONNREFUSED')])],
    ['a broker that cannot be reached', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    ['a broker that does not answer in time', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')],
    [
      'a broker kafkajs gave up retrying',
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), { retryCount: 8, retryTime: 3000 }),
    ],
    ['a partition without a leader', brokerAnswer('LEADER_NOT_AVAILABLE', true)],
    ['a topic the service may not write', brokerAnswer('TOPIC_AUTHORIZATION_FAILED', false)],
    ['a producer disconnected by a shutdown', new KafkaJSError('The producer is disconnected')],
    ['an error whose cause is a lost connection', new Error('append failed', { cause: withCode('ECONNRESET') })],
  ])('retries %s', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
  });

  it.each([
    ['a value PostgreSQL cannot store', withCode('22003', 'value "1e30" is out of range for type bigint')],
    ['a check constraint a message broke', withCode('23514', 'new row violates check constraint')],
    ['a text PostgreSQL refuses (a NUL character)', withCode('22P05', 'unsupported Unicode escape sequence')],
    ['a rule that threw on what a message holds', new TypeError("Cannot read properties of undefined (reading 'points')")],
    ['a broker refusing a request too large (a smaller one gets through)', tooLarge()],
    ['something thrown that is not an Error', 'poison'],
    ['nothing at all', undefined],
  ])('looks for the culprit message on %s', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });
});

describe('isTooLarge', () => {
  it('recognises the broker refusing a too large batch however kafkajs wraps it', () => {
    expect(isTooLarge(tooLarge())).toBe(true);
    expect(isTooLarge(brokerAnswer('RECORD_LIST_TOO_LARGE', false))).toBe(true);
    expect(isTooLarge(new Error('broker down'))).toBe(false);
    expect(isTooLarge(undefined)).toBe(false);
  });
});
