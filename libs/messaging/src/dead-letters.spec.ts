import { DeadLetter } from '@tally/contracts';
import { ConsumedMessage } from './batch.consumer';
import { DEAD_LETTER_SEND_BUDGET_BYTES } from './dead-letter.packer';
import { publishDeadLetters, toDeadLetter } from './dead-letters';
import { TypedProducer } from './typed.producer';

type Sent = { key: string | Buffer | null; value: Buffer | null }[];

const consumed = (offset: number, valueBytes: number): ConsumedMessage => ({
  topic: 'ns.loyalty.purchases.v1',
  contractTopic: 'loyalty.purchases.v1',
  partition: offset % 3,
  offset: String(offset),
  key: `m-${offset}`,
  value: Buffer.alloc(valueBytes, 'x'),
  headers: {},
  timestamp: '1764000000000',
});

const letters = (valueSizes: number[]) =>
  valueSizes.map((bytes, i) => {
    const original = consumed(i, bytes);
    return { letter: toDeadLetter(original, { reason: 'payload_too_large', message: 'too large' }, 'g', new Date(0)), original };
  });

/**
 * What kafkajs 2 throws when the broker refuses a batch over the topic's max.message.bytes (built
 * by hand: its typings do not declare the constructors it uses for this).
 */
const tooLarge = () => {
  const message = 'The request included a message larger than the max message size the server will accept';
  const cause = Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false });
  return Object.assign(new Error(message), { name: 'KafkaJSNonRetriableError', cause });
};

/** A producer whose topic refuses a send over `limit` bytes of values, as a broker refuses a batch. */
const fakeProducer = (limit = Infinity) => {
  const sends: Sent[] = [];
  const producer = {
    sendRaw: async (topic: string, messages: Sent) => {
      expect(topic).toBe('ns.loyalty.dlq.v1');
      if (messages.reduce((sum, m) => sum + (m.value?.length ?? 0), 0) > limit) throw tooLarge();
      sends.push(messages);
    },
  } as unknown as TypedProducer;
  return { producer, sends };
};

const offsets = (sends: Sent[]) => sends.map((send) => send.map((m) => (JSON.parse(String(m.value)) as DeadLetter).source.offset));

describe('publishing dead letters', () => {
  it('sends a dozen 64 KB letters in several bounded sends, in order', async () => {
    const { producer, sends } = fakeProducer();
    await publishDeadLetters(producer, 'ns.', letters(Array(12).fill(65 * 1024)));
    expect(sends.length).toBeGreaterThan(1);
    expect(offsets(sends).flat()).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    for (const send of sends) expect(send.reduce((sum, m) => sum + (m.value?.length ?? 0), 0)).toBeLessThan(DEAD_LETTER_SEND_BUDGET_BYTES);
  });

  it('sends a letter too large for the topic without its value, and the others whole', async () => {
    const { producer, sends } = fakeProducer(1024 * 1024);
    const given = letters([100, 900 * 1024, 100]);
    await publishDeadLetters(producer, 'ns.', given);
    const sent = sends.flat().map((m) => JSON.parse(String(m.value)) as DeadLetter);
    expect(sent.map((l) => [l.source.offset, l.valueBase64 === null, l.valueTruncated?.originalBytes])).toEqual([
      ['0', false, undefined],
      ['1', true, 900 * 1024],
      ['2', false, undefined],
    ]);
    // The callers record these same letters in PostgreSQL: they stay whole.
    expect(given[1].letter.valueBase64).toBe(Buffer.alloc(900 * 1024, 'x').toString('base64'));
    expect(given[1].letter.valueTruncated).toBeUndefined();
  });

  it('sends each letter alone when a send of several is refused (a topic with a limit below the budget)', async () => {
    const { producer, sends } = fakeProducer(300 * 1024);
    await publishDeadLetters(producer, 'ns.', letters([100 * 1024, 100 * 1024, 100 * 1024]));
    expect(offsets(sends)).toEqual([['0'], ['1'], ['2']]);
  });

  it('passes other failures on, so the batch is retried', async () => {
    const producer = { sendRaw: async () => Promise.reject(new Error('broker down')) } as unknown as TypedProducer;
    await expect(publishDeadLetters(producer, 'ns.', letters([10]))).rejects.toThrow('broker down');
  });
});

describe('a dead letter’s headers', () => {
  const withHeaders = (headers: ConsumedMessage['headers']) => toDeadLetter({ ...consumed(1, 10), headers }, { reason: 'invalid_json', message: 'x' }, 'g', new Date(0));
  const base64 = (text: string) => Buffer.from(text).toString('base64');

  it('keeps every value of a header sent more than once, in order', () => {
    const letter = withHeaders({ traceparent: Buffer.from('00-abc'), tag: [Buffer.from('a'), Buffer.from('b')] });
    expect(letter.headers).toEqual({ traceparent: base64('00-abc'), tag: base64('a') });
    expect(letter.repeatedHeaders).toEqual({ tag: [base64('a'), base64('b')] });
  });

  it('has no repeatedHeaders when every header came once', () => {
    expect(withHeaders({ traceparent: Buffer.from('00-abc') })).not.toHaveProperty('repeatedHeaders');
  });
});
