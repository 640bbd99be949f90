import { DeadLetter, DeadLetterReason, FieldError, Topics, physicalTopicName } from '@tally/contracts';
import { ConsumedMessage } from './batch.consumer';
import { TypedProducer } from './typed.producer';

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
  headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString('base64')])),
  consumerGroup,
  deadLetteredAt: now.toISOString(),
});

/**
 * The value is the `DeadLetter` JSON, which keeps the original bytes (base64) and headers so the
 * original can be re-published exactly; the original headers are copied too, plus the reason in
 * `tally-dlq-*` headers so tools can route letters without parsing them.
 */
export const publishDeadLetters = async (producer: TypedProducer, namespace: string, letters: { letter: DeadLetter; original: ConsumedMessage }[]) => {
  if (letters.length === 0) return;
  await producer.sendRaw(
    physicalTopicName(Topics.deadLetters, namespace),
    letters.map(({ letter, original }) => ({
      key: original.key,
      value: Buffer.from(JSON.stringify(letter)),
      headers: {
        ...original.headers,
        'tally-dlq-reason': letter.reason,
        'tally-dlq-source': `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`,
      },
    })),
  );
};
