import { createHash } from 'node:crypto';
import { DeadLetter } from '@tally/contracts';
import type { ConsumedMessage } from './batch.consumer';

/**
 * The dead-letter topic's `max.message.bytes`. A letter carries its original as base64 (4/3 of its
 * size) plus its headers, so an input as large as the input topics accept (about 1 MB by default)
 * must fit it whole; 8 MiB leaves room for input topics raised to about 6 MB.
 */
export const DEAD_LETTER_TOPIC_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Letters per send add up to at most this. The broker refuses a partition's record batch over the
 * topic's limit, and one send puts a partition's letters in one batch: staying under the broker's
 * default (1,048,588 bytes) keeps a send accepted even by a dead-letter topic that kept the default.
 */
export const DEAD_LETTER_SEND_BUDGET_BYTES = 900 * 1024;

/** A record's framing besides key, value and headers (lengths, deltas, attributes), generously. */
const RECORD_FRAMING_BYTES = 64;
/** A record batch's own header is 61 bytes; the rest is headroom for our estimate. */
const BATCH_FRAMING_BYTES = 64 * 1024;

/** A letter bigger than this would not fit the dead-letter topic even as created by us. */
export const DEAD_LETTER_RECORD_LIMIT_BYTES = DEAD_LETTER_TOPIC_MAX_BYTES - BATCH_FRAMING_BYTES;

/** Where the whole letter can be read when its Kafka copy had to leave something out. */
export const FULL_LETTER_AT = 'GET /ops/dead-letters (the ledger keeps every letter whole)';

export interface DeadLetterRecord {
  /** The original key, as bytes when they are known (a text would change those that are not UTF-8). */
  key: string | Buffer | null;
  value: Buffer;
  headers: Record<string, string | Buffer | Buffer[]>;
}

export interface LetterToSend {
  letter: DeadLetter;
  original: ConsumedMessage;
}

/** A letter in one of its forms (0: whole, then ever slimmer), ready to send. */
export interface PlannedLetter {
  item: LetterToSend;
  form: number;
  record: DeadLetterRecord;
  size: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const headerBytes = (headers: DeadLetterRecord['headers']) =>
  Object.entries(headers).reduce((sum, [name, value]) => {
    const values = Array.isArray(value) ? value : [value];
    return sum + values.reduce((bytes, v) => bytes + Buffer.byteLength(name) + Buffer.byteLength(v) + 8, 0);
  }, 0);

export const recordSize = (record: DeadLetterRecord): number =>
  RECORD_FRAMING_BYTES + (record.key === null ? 0 : Buffer.byteLength(record.key)) + record.value.length + headerBytes(record.headers);

/** The Kafka copy without the original value, which stays whole in PostgreSQL. */
const withoutValue = (letter: DeadLetter): DeadLetter => {
  if (letter.valueBase64 === null) return letter;
  const value = Buffer.from(letter.valueBase64, 'base64');
  return { ...letter, valueBase64: null, valueTruncated: { originalBytes: value.length, sha256: sha256(value), fullLetterAt: FULL_LETTER_AT } };
};

/** Headers can be as large as a value: the last resort leaves them out of the Kafka copy too. */
const withoutHeaders = (letter: DeadLetter): DeadLetter => {
  const names = Object.keys(letter.headers);
  const raw = letter.rawHeaders ?? [];
  if (names.length === 0 && raw.length === 0) return letter;
  // Own properties only: a header named `toString` must not find Object.prototype's in `repeatedHeaders`.
  const valuesOf = (name: string) =>
    letter.repeatedHeaders && Object.hasOwn(letter.repeatedHeaders, name) ? letter.repeatedHeaders[name] : [letter.headers[name]];
  const values = [...names.flatMap(valuesOf), ...raw.map((h) => h.valueBase64)];
  const originalBytes = values.reduce((sum, value) => sum + Buffer.from(value, 'base64').length, 0);
  const { repeatedHeaders: _left, rawHeaders: _raw, ...rest } = letter;
  return { ...rest, headers: {}, headersTruncated: { count: values.length, originalBytes, fullLetterAt: FULL_LETTER_AT } };
};

/** The forms a letter's Kafka copy can take, whole first; never changes the letter it is given. */
const FORMS: ((letter: DeadLetter) => DeadLetter)[] = [(letter) => letter, withoutValue, (letter) => withoutHeaders(withoutValue(letter))];

export const LAST_FORM = FORMS.length - 1;

/**
 * The record of `item` in form `form`: the letter as JSON, the original headers copied (unless the
 * form leaves them out), and the reason in `tally-dlq-*` headers so tools can route letters
 * without parsing them.
 */
export const planLetter = (item: LetterToSend, form = 0): PlannedLetter => {
  const letter = FORMS[form](item.letter);
  const record: DeadLetterRecord = {
    key: item.original.rawKey !== undefined ? item.original.rawKey : item.original.key,
    value: Buffer.from(JSON.stringify(letter)),
    headers: {
      ...(letter.headersTruncated ? {} : item.original.headers),
      'tally-dlq-reason': letter.reason,
      'tally-dlq-source': `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`,
    },
  };
  return { item, form, record, size: recordSize(record) };
};

/** The first form of `item` (whole if it fits) whose record is at most `limit` bytes, or the slimmest. */
export const planFitting = (item: LetterToSend, limit = DEAD_LETTER_RECORD_LIMIT_BYTES, fromForm = 0): PlannedLetter => {
  let planned = planLetter(item, fromForm);
  while (planned.size > limit && planned.form < LAST_FORM) planned = planLetter(item, planned.form + 1);
  return planned;
};

/**
 * Splits `planned`, in order, into sends of at most `budget` bytes each; a letter bigger than the
 * budget is a send of its own (it fits the topic, or is slimmed when the broker says otherwise).
 */
export const packSends = (planned: PlannedLetter[], budget = DEAD_LETTER_SEND_BUDGET_BYTES): PlannedLetter[][] => {
  const sends: PlannedLetter[][] = [];
  let current: PlannedLetter[] = [];
  let bytes = 0;
  for (const letter of planned) {
    if (current.length > 0 && bytes + letter.size > budget) {
      sends.push(current);
      current = [];
      bytes = 0;
    }
    current.push(letter);
    bytes += letter.size;
  }
  if (current.length > 0) sends.push(current);
  return sends;
};
