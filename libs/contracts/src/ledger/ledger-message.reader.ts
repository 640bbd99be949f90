import { DeadLetterReason } from '../outbound/dead-letter';
import { LedgerEventMessage } from './ledger-event-message';

export type UnreadableLedgerMessage = { reason: DeadLetterReason; problem: string };

const unreadable = (reason: DeadLetterReason, problem: string): UnreadableLedgerMessage => ({ reason, problem });

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * A `loyalty.ledger.v1` value as its followers (the tier service, the analytics read model) need
 * it, or why it cannot be one: such a message is dead-lettered, never a stop.
 */
export const readLedgerMessage = (value: Buffer | null): LedgerEventMessage | UnreadableLedgerMessage => {
  if (!value || value.length === 0) return unreadable('empty_message', 'empty message');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return unreadable('invalid_json', 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return unreadable('validation_failed', 'not an object');
  const e = parsed as Record<string, unknown>;
  const fieldsOk =
    isText(e.type) &&
    isText(e.memberId) &&
    Number.isSafeInteger(e.version) &&
    (e.version as number) > 0 &&
    isText(e.occurredAt) &&
    !Number.isNaN(Date.parse(e.occurredAt)) &&
    isText(e.recordedAt) &&
    /^[0-9]{1,19}$/.test(String(e.position));
  if (!fieldsOk) return unreadable('validation_failed', 'missing or invalid type, memberId, version, position, occurredAt or recordedAt');
  if (typeof e.data !== 'object' || e.data === null) return unreadable('validation_failed', 'missing data');
  return { ...(e as unknown as LedgerEventMessage), position: String(e.position) };
};
