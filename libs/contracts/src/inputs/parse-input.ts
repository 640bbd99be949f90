import { isUtf8 } from 'node:buffer';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { DeadLetterReason } from '../outbound/dead-letter';
import { InputEvent } from './input-event';
import { INPUT_SCHEMAS } from './input-schemas';
import { Acceptor, compileAcceptor } from './schema.compiler';
import { isCalendarTime } from './validators';

export const MAX_INPUT_BYTES = 64 * 1024;
/** Clock skew tolerated for `occurredAt` ahead of our clock; beyond it the event is absurd. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

export interface FieldError {
  field: string;
  problems: string[];
}

export type ParsedInput =
  | { ok: true; event: InputEvent }
  | { ok: false; reason: DeadLetterReason; message: string; fieldErrors?: FieldError[] };

export const flattenValidationErrors = (errors: ValidationError[], prefix = ''): FieldError[] =>
  errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });

const fail = (reason: DeadLetterReason, message: string, fieldErrors?: FieldError[]): ParsedInput => ({
  ok: false,
  reason,
  message,
  ...(fieldErrors ? { fieldErrors } : {}),
});

const acceptors = new Map<object, Acceptor | undefined>();
const acceptorOf = (schema: new () => object): Acceptor | undefined => {
  if (!acceptors.has(schema)) acceptors.set(schema, compileAcceptor(schema));
  return acceptors.get(schema);
};

/** The validated event: by the compiled acceptor when it says yes, else by class-validator, which names every problem. */
const validated = (schema: new () => object, json: object): { instance: object } | { errors: ValidationError[] } => {
  const accepted = acceptorOf(schema)?.(json);
  if (accepted) return { instance: accepted };
  const instance = plainToInstance(schema, json);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  return errors.length > 0 ? { errors } : { instance };
};

/**
 * Turns the raw bytes of an input message into a validated event, or says exactly why not.
 * Pure: `now` comes in so that "far in the future" is judged against the caller's clock.
 */
export const parseInput = (topicName: string, value: Buffer | null, now: Date): ParsedInput => {
  if (value === null || value.length === 0) return fail('empty_message', 'message has no value');
  if (value.length > MAX_INPUT_BYTES) return fail('payload_too_large', `message is ${value.length} bytes, limit ${MAX_INPUT_BYTES}`);
  const schemas = INPUT_SCHEMAS[topicName];
  if (!schemas) return fail('unknown_topic', `no schema for topic ${topicName}`);
  let json: unknown;
  try {
    if (!isUtf8(value)) return fail('invalid_json', 'not UTF-8 JSON: the bytes are not valid UTF-8');
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return fail('invalid_json', `not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('invalid_json', 'message is not a JSON object');
  const type = (json as { type?: unknown }).type;
  const schema = typeof type === 'string' ? schemas[type] : undefined;
  if (!schema) return fail('unknown_type', `type ${JSON.stringify(type)} is not one of ${Object.keys(schemas).join(', ')}`);
  const outcome = validated(schema, json);
  if ('errors' in outcome) {
    const fieldErrors = flattenValidationErrors(outcome.errors);
    return fail('validation_failed', fieldErrors.map((e) => `${e.field}: ${e.problems.join('; ')}`).join(', '), fieldErrors);
  }
  const instance = outcome.instance;
  const occurredAtText = (instance as { occurredAt: string }).occurredAt;
  const occurredAt = Date.parse(occurredAtText);
  if (Number.isNaN(occurredAt) || !isCalendarTime(occurredAtText)) return fail('validation_failed', 'occurredAt is not a real date', [{ field: 'occurredAt', problems: ['not a real date'] }]);
  if (occurredAt - now.getTime() > MAX_FUTURE_SKEW_MS) return fail('occurred_in_future', `occurredAt is more than 24h ahead of ${now.toISOString()}`);
  return { ok: true, event: instance as InputEvent };
};
