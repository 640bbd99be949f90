import { isUtf8 } from 'node:buffer';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { DeadLetterReason } from '../outbound/dead-letter';
import { isStorableText, storableText } from '../text/storable-text';
import { InputEvent } from './input-event';
import { INPUT_SCHEMAS } from './input-schemas';
import { Acceptor, compileAcceptor } from './schema.compiler';
import { isCalendarTime } from './validators';

export const MAX_INPUT_BYTES = 64 * 1024;
/** Clock skew tolerated for `occurredAt` ahead of our clock; beyond it the event is absurd. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;
/**
 * Deepest nesting of objects and arrays (the message itself is level 1), and most JSON values, of
 * a message handed to class-transformer: it recurses once per level of every field, declared or
 * not (a few thousand `[` overflow the stack), and copies every value. A contract message is three
 * levels deep (message, `lines`, a line) and a purchase of 500 lines about 2,500 values.
 */
export const MAX_INPUT_DEPTH = 32;
export const MAX_INPUT_VALUES = 10_000;

const UNSTORABLE_PROBLEM = 'must not contain NUL or lone UTF-16 surrogates';

export interface FieldError {
  field: string;
  problems: string[];
}

export type ParsedInput = { ok: true; event: InputEvent } | { ok: false; reason: DeadLetterReason; message: string; fieldErrors?: FieldError[] };

export const flattenValidationErrors = (errors: ValidationError[], prefix = ''): FieldError[] =>
  errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });

/** A refusal; its texts can hold what the message held (a key, a parser's quote of the bytes), so they are made storable. */
const fail = (reason: DeadLetterReason, message: string, fieldErrors?: FieldError[]): ParsedInput => ({
  ok: false,
  reason,
  message: storableText(message),
  ...(fieldErrors ? { fieldErrors: fieldErrors.map((e) => ({ field: storableText(e.field), problems: e.problems.map(storableText) })) } : {}),
});

const fieldFailure = (field: string, problem: string): ParsedInput => fail('validation_failed', `${field}: ${problem}`, [{ field, problems: [problem] }]);

/** `record[key]` only when `record` has it itself: a message's `type` of `toString` must not find Object.prototype's. */
const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

const acceptors = new Map<object, Acceptor | undefined>();
const acceptorOf = (schema: new () => object): Acceptor | undefined => {
  if (!acceptors.has(schema)) acceptors.set(schema, compileAcceptor(schema));
  return acceptors.get(schema);
};

/**
 * Why `json` may not be handed to class-transformer, or undefined. Walked with a stack of its own,
 * so no nesting overflows the walk either; a field is named by its top-level key. Only messages
 * the acceptor refused come here: they are invalid, and this names one of their problems.
 */
const boundsProblem = (json: Record<string, unknown>): ParsedInput | undefined => {
  const values: unknown[] = [];
  const depths: number[] = [];
  const fields: string[] = [];
  for (const key of Object.keys(json)) {
    values.push(json[key]);
    depths.push(2);
    fields.push(key);
  }
  let count = 1 + values.length;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() as number;
    const field = fields.pop() as string;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_INPUT_DEPTH) return fieldFailure(field, `nested deeper than ${MAX_INPUT_DEPTH} levels`);
    // class-transformer picks the class of a nested object by its `constructor`, and throws on an own one.
    if (!Array.isArray(value) && Object.hasOwn(value, 'constructor'))
      return fieldFailure(field, 'holds an object with a "constructor" key, which no message has');
    const children = Array.isArray(value) ? value : Object.values(value);
    count += children.length;
    if (count > MAX_INPUT_VALUES) return fail('payload_too_large', `message has more than ${MAX_INPUT_VALUES} JSON values`);
    for (const child of children) {
      values.push(child);
      depths.push(depth + 1);
      fields.push(field);
    }
  }
  return undefined;
};

/** The validated event: by the compiled acceptor when it says yes, else by class-validator, which names every problem. */
const validated = (
  schema: new () => object,
  json: Record<string, unknown>,
): { instance: object } | { errors: ValidationError[] } | { refused: ParsedInput } => {
  // The acceptor reads declared fields only, a level at a time: any depth is safe for it.
  const accepted = acceptorOf(schema)?.(json);
  if (accepted) return { instance: accepted };
  const refused = boundsProblem(json);
  if (refused) return { refused };
  const instance = plainToInstance(schema, json);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  return errors.length > 0 ? { errors } : { instance };
};

/**
 * The path (`lines.0.sku`) of the first string of a validated event that PostgreSQL could not
 * store (rejections keep the input, the ledger its data), or undefined. A validated event is as
 * deep as its class (bounded above when class-transformer built it), so recursing is safe.
 */
const unstorableField = (value: object): string | undefined => {
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string') {
      if (!isStorableText(field)) return key;
    } else if (typeof field === 'object' && field !== null) {
      const inner = unstorableField(field);
      if (inner !== undefined) return `${key}.${inner}`;
    }
  }
  return undefined;
};

const parse = (topicName: string, value: Buffer | null, now: Date): ParsedInput => {
  if (value === null || value.length === 0) return fail('empty_message', 'message has no value');
  if (value.length > MAX_INPUT_BYTES) return fail('payload_too_large', `message is ${value.length} bytes, limit ${MAX_INPUT_BYTES}`);
  const schemas = ownValue(INPUT_SCHEMAS, topicName);
  if (!schemas) return fail('unknown_topic', `no schema for topic ${topicName}`);
  if (!isUtf8(value)) return fail('invalid_json', 'not UTF-8 JSON: the bytes are not valid UTF-8');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return fail('invalid_json', `not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(json)) return fail('invalid_json', 'message is not a JSON object');
  const type = Object.hasOwn(json, 'type') ? json.type : undefined;
  const schema = typeof type === 'string' ? ownValue(schemas, type) : undefined;
  if (!schema) {
    const named = typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : type === undefined ? '(missing)' : `(${kindOf(type)})`;
    return fail('unknown_type', `type ${named} is not one of ${Object.keys(schemas).join(', ')}`);
  }
  const outcome = validated(schema, json);
  if ('refused' in outcome) return outcome.refused;
  if ('errors' in outcome) {
    const fieldErrors = flattenValidationErrors(outcome.errors);
    return fail('validation_failed', fieldErrors.map((e) => `${e.field}: ${e.problems.join('; ')}`).join(', '), fieldErrors);
  }
  const instance = outcome.instance;
  const unstorable = unstorableField(instance);
  if (unstorable !== undefined) return fieldFailure(unstorable, UNSTORABLE_PROBLEM);
  const occurredAtText = (instance as { occurredAt: string }).occurredAt;
  const occurredAt = Date.parse(occurredAtText);
  if (Number.isNaN(occurredAt) || !isCalendarTime(occurredAtText))
    return fail('validation_failed', 'occurredAt is not a real date', [{ field: 'occurredAt', problems: ['not a real date'] }]);
  if (occurredAt - now.getTime() > MAX_FUTURE_SKEW_MS) return fail('occurred_in_future', `occurredAt is more than 24h ahead of ${now.toISOString()}`);
  return { ok: true, event: instance as InputEvent };
};

/**
 * Turns the raw bytes of an input message into a validated event, or says exactly why not; never
 * throws, whatever the bytes (invariant 10: a message that could stop the consumer is a dead letter).
 * Pure: `now` comes in so that "far in the future" is judged against the caller's clock.
 */
export const parseInput = (topicName: string, value: Buffer | null, now: Date): ParsedInput => {
  try {
    return parse(topicName, value, now);
  } catch (error) {
    // Nothing here is known to throw any more; whatever still does is about this message alone.
    return fail('invalid_message', `the message could not be validated: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
};
