/**
 * Raised for a condition that passes by itself (a member still conflicting after every attempt
 * of the store): the message that met it is not at fault, so it is retried, never dead-lettered.
 */
export class TransientError extends Error {}

/** Socket failures, as Node reports them. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATE classes of PostgreSQL that are not the statement's fault: lost connections (08),
 * rollbacks such as serialization failures and deadlocks (40), resources (53), lock timeouts and
 * databases that refuse connections (55), shutdowns and cancellations (57), the system (58).
 */
const TRANSIENT_SQLSTATE = /^(08|40|53|55|57|58)/;

/**
 * What pg and TypeORM say when a connection dies, cannot be had, or the pool is being closed
 * (a service shutting down): errors without a SQLSTATE.
 */
const LOST_CONNECTION = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Cannot use a pool after calling end/i;

const NOT_CONNECTED = new Set(['CannotExecuteNotConnectedError', 'ConnectionIsNotSetError', 'QueryRunnerAlreadyReleasedError', 'ConnectionNotFoundError']);

/** Broker answers that mean "too big": the same request fails the same way, whatever the broker's state. */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** Broker answers about rights and cluster state that kafkajs does not retry, and no message causes. */
const BROKER_REFUSALS = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REQUIRED_ACKS',
]);

/** kafkajs errors about reaching the cluster, which it gives up on after its own retries. */
const KAFKA_UNREACHABLE = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSSASLAuthenticationError',
]);

interface ErrorLike {
  name?: string;
  code?: unknown;
  type?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  errors?: unknown;
}

const MAX_DEPTH = 4;

/** A broker answer (kafkajs puts its `type` on the error or on one it wraps) that says "too big". */
export const isTooLarge = (error: unknown, depth = 0): boolean => {
  const e = error as ErrorLike | null | undefined;
  if (!e || typeof e !== 'object' || depth > MAX_DEPTH) return false;
  return (typeof e.type === 'string' && TOO_LARGE.has(e.type)) || isTooLarge(e.cause, depth + 1);
};

const isKafkaInfrastructure = (e: ErrorLike): boolean => {
  if (typeof e.type === 'string' && BROKER_REFUSALS.has(e.type)) return true;
  return e.retriable === true || (e.name !== undefined && KAFKA_UNREACHABLE.has(e.name));
};

const classify = (error: unknown, depth: number): boolean => {
  const e = error as ErrorLike | null | undefined;
  if (!e || typeof e !== 'object' || depth > MAX_DEPTH) return false;
  if (error instanceof TransientError) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (TRANSIENT_SQLSTATE.test(code) || NETWORK_CODES.has(code)) return true;
  if (e.name !== undefined && NOT_CONNECTED.has(e.name)) return true;
  if (!code && typeof e.message === 'string' && LOST_CONNECTION.test(e.message)) return true;
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS') && isKafkaInfrastructure(e)) return true;
  // Node reports a connection tried on several addresses (IPv6 and IPv4) as one AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => classify(inner, depth + 1))) return true;
  return classify(e.cause, depth + 1);
};

/**
 * Errors that mean the infrastructure, not the message, is at fault: the broker or the database
 * unreachable, a lost connection, a rollback or lock timeout, a conflict the store gave up
 * retrying, a broker refusing on rights or cluster state. The consumer retries those (with backoff)
 * instead of looking for a culprit message: a message blamed wrongly would be dead-lettered while
 * it is valid, so anything transient counts. A broker's "too large" does not: it answers the same
 * to the same request, and a smaller one (half the batch, a slimmer letter) gets through.
 */
export const isInfrastructureError = (error: unknown): boolean => !isTooLarge(error) && classify(error, 0);
