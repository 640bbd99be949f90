import { isUtf8 } from 'node:buffer';
import { DeadLetter, DeadLetterReason, FieldError, RawDeadLetterHeader, Topics, isStorableText, physicalTopicName, storableText } from '@tally/contracts';
import { isTooLarge } from '@tally/platform';
import { ConsumedMessage } from './batch.consumer';
import { LAST_FORM, LetterToSend, PlannedLetter, packSends, planFitting, planLetter } from './dead-letter.packer';
import { TypedProducer } from './typed.producer';

/** Sets `name` as an own property, even `__proto__` (assigned, it would set the prototype instead). */
const define = <T>(record: Record<string, T>, name: string, value: T) =>
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });

/**
 * The letter's `headers`, plus `repeatedHeaders` when a header came more than once, and
 * `rawHeaders` for names PostgreSQL could not store (as keys of a JSON object they would be text).
 */
const headerFields = (headers: ConsumedMessage['headers']): Pick<DeadLetter, 'headers' | 'repeatedHeaders' | 'rawHeaders'> => {
  const first: Record<string, string> = {};
  const repeated: Record<string, string[]> = {};
  const raw: RawDeadLetterHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) continue;
    if (!isStorableText(name)) {
      const nameBase64 = Buffer.from(name, 'utf8').toString('base64');
      for (const v of values) raw.push({ nameBase64, valueBase64: v.toString('base64') });
      continue;
    }
    define(first, name, values[0].toString('base64'));
    if (values.length > 1)
      define(
        repeated,
        name,
        values.map((v) => v.toString('base64')),
      );
  }
  return {
    headers: first,
    ...(Object.keys(repeated).length > 0 ? { repeatedHeaders: repeated } : {}),
    ...(raw.length > 0 ? { rawHeaders: raw } : {}),
  };
};

/** The key as text, and as exact bytes too when the text cannot hold them (not UTF-8, or NUL). */
const keyFields = (message: ConsumedMessage): Pick<DeadLetter['source'], 'key' | 'keyBase64'> => {
  if (message.rawKey === undefined) {
    // A message made by hand: its text is all there is (Kafka would carry it as UTF-8).
    if (message.key === null || isStorableText(message.key)) return { key: message.key };
    return { key: storableText(message.key), keyBase64: Buffer.from(message.key, 'utf8').toString('base64') };
  }
  if (message.rawKey === null) return { key: null };
  const text = message.rawKey.toString('utf8');
  if (isUtf8(message.rawKey) && isStorableText(text)) return { key: text };
  return { key: storableText(text), keyBase64: message.rawKey.toString('base64') };
};

/**
 * The letter of `message`: its bytes (value, key, header values) base64 and its texts storable,
 * so neither the dead-letter topic's consumers nor PostgreSQL can fail on what the original held.
 */
export const toDeadLetter = (
  message: ConsumedMessage,
  problem: { reason: DeadLetterReason; message: string; fieldErrors?: FieldError[] },
  consumerGroup: string,
  now: Date,
): DeadLetter => ({
  reason: problem.reason,
  message: storableText(problem.message),
  ...(problem.fieldErrors ? { fieldErrors: problem.fieldErrors.map((e) => ({ field: storableText(e.field), problems: e.problems.map(storableText) })) } : {}),
  source: {
    topic: storableText(message.contractTopic),
    partition: message.partition,
    offset: message.offset,
    ...keyFields(message),
    timestamp: message.timestamp,
  },
  valueBase64: message.value ? message.value.toString('base64') : null,
  ...headerFields(message.headers),
  consumerGroup: storableText(consumerGroup),
  deadLetteredAt: now.toISOString(),
});

/**
 * Sends `planned` in one request; if the broker finds it too large, each letter alone, and a lone
 * letter still too large (a dead-letter topic kept, or was given, a smaller limit than ours) in its
 * next slimmer form, so a letter never blocks its partition.
 */
const sendOrSlim = async (producer: TypedProducer, topic: string, planned: PlannedLetter[]): Promise<void> => {
  try {
    await producer.sendRaw(
      topic,
      planned.map((p) => p.record),
    );
  } catch (error) {
    if (!isTooLarge(error)) throw error;
    if (planned.length > 1) {
      for (const letter of planned) await sendOrSlim(producer, topic, [letter]);
      return;
    }
    const [letter] = planned;
    if (letter.form === LAST_FORM) throw error;
    await sendOrSlim(producer, topic, [planLetter(letter.item, letter.form + 1)]);
  }
};

/**
 * The value is the `DeadLetter` JSON, which keeps the original bytes (base64) and headers so the
 * original can be re-published exactly (see `planLetter`). Letters go in several sends of bounded
 * size, because the broker refuses a partition's record batch over the topic's limit, and one that
 * does not fit the topic goes without its value: the callers keep every letter whole in PostgreSQL
 * (the letters given here are not changed).
 */
export const publishDeadLetters = async (producer: TypedProducer, namespace: string, letters: LetterToSend[]) => {
  if (letters.length === 0) return;
  const topic = physicalTopicName(Topics.deadLetters, namespace);
  for (const send of packSends(letters.map((item) => planFitting(item)))) await sendOrSlim(producer, topic, send);
};
