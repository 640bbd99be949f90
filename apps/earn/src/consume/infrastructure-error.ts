import { ConcurrencyConflictError } from '@tally/ledger';

/** Socket failures of the connection to PostgreSQL, as Node reports them. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** What pg says when a connection dies or cannot be had: errors without a SQLSTATE. */
const LOST_CONNECTION = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable/i;

/**
 * Errors that mean the infrastructure, not the message, is at fault: retry the whole batch. A
 * message blamed wrongly would be dead-lettered as `processing_failed` while it is valid, so
 * anything transient counts: lost connections (SQLSTATE 08, or pg's own errors without one),
 * rollbacks and lock timeouts (40, 55), resources (53), shutdowns (57), the system (58), and
 * a member still conflicting after the store's own attempts.
 */
export const isInfrastructureError = (error: unknown): boolean => {
  const code = (error as { code?: string }).code ?? '';
  if (/^(08|40|53|55|57|58)/.test(code) || NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError || error instanceof ConcurrencyConflictError) return true;
  return !code && LOST_CONNECTION.test((error as Error).message ?? '');
};
