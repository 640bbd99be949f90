import { DeadLetter, DeadLetterReason, FieldError, Topics, physicalTopicName } from '@tally/contracts';
import { isTooLarge } from '@tally/platform';
import { ConsumedMessage } from './batch.consumer';
import { LAST_FORM, LetterToSend, PlannedLetter, packSends, planFitting, planLetter } from './dead-letter.packer';
import { TypedProducer } from './typed.producer';

/** The letter's `headers`, plus `repeatedHeaders` when a header came more than once. */
const headerFields = (headers: ConsumedMessage['headers']): Pick<DeadLetter, 'headers' | 'repeatedHeaders'> => {
  const first: Record<string, string> = {};
  const repeated: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) continue;
    first[name] = values[0].toString('base64');
    if (values.length > 1) repeated[name] = values.map((v) => v.toString('base64'));
  }
  return Object.keys(repeated).length > 0 ? { headers: first, repeatedHeaders: repeated } : { headers: first };
};

export const toDeadLetter = (
  message: ConsumedMessage,
  problem: { reason: DeadLetterReason; message: string; fieldErrors?: FieldError[] },
  consumerGroup: string,
  now: Date,
): DeadLetter => ({
  reason: problem.reason,
  message: problem.message,
  ...(problem.fieldErrors ? { fieldErrors: problem.fieldErrors } : {}),
  source: { topic: message.contractTopic, partition: message.partition, offset: message.offset, key: message.key, timestamp: message.timestamp },
  valueBase64: message.value ? message.value.toString('base64') : null,
  ...headerFields(message.headers),
  consumerGroup,
  deadLetteredAt: now.toISOString(),
});

/**
 * Sends `planned` in one request; if the broker finds it too large, each letter alone, and a lone
 * letter still too large (a dead-letter topic kept, or was given, a smaller limit than ours) in its
 * next slimmer form, so a letter never blocks its partition.
 */
const sendOrSlim = async (producer: TypedProducer, topic: string, planned: PlannedLetter[]): Promise<void> => {
  try {
    await producer.sendRaw(topic, planned.map((p) => p.record));
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
