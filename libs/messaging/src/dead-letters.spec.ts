import { DeadLetter, isStorableText } from '@tally/contracts';
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
  const withHeaders = (headers: ConsumedMessage['headers']) =>
    toDeadLetter({ ...consumed(1, 10), headers }, { reason: 'invalid_json', message: 'x' }, 'g', new Date(0));
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

/** Every string of a letter, object keys included. */
const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]) : [];

describe('a dead letter of bytes that are not clean text', () => {
  const NOT_UTF8 = Buffer.from([0x6d, 0x2d, 0xff, 0xfe, 0x00, 0x31]);
  const letterOf = (message: Partial<ConsumedMessage>, problem = { reason: 'invalid_json' as const, message: 'x' }) =>
    toDeadLetter({ ...consumed(1, 10), ...message }, problem, 'g', new Date(0));

  it.each([
    ['not UTF-8', NOT_UTF8],
    ['a NUL', Buffer.from('m-1\u0000x')],
  ])('keeps a key holding %s byte for byte, beside a readable text', (_what, rawKey) => {
    const letter = letterOf({ key: rawKey.toString('utf8'), rawKey });
    expect(Buffer.from(letter.source.keyBase64 ?? '', 'base64').equals(rawKey)).toBe(true);
    expect(isStorableText(letter.source.key ?? '')).toBe(true);
  });

  it('keeps a clean key as text only, and a missing one as null', () => {
    expect(letterOf({ key: 'm-1', rawKey: Buffer.from('m-1') }).source).not.toHaveProperty('keyBase64');
    expect(letterOf({ key: 'm-1', rawKey: Buffer.from('m-1') }).source.key).toBe('m-1');
    expect(letterOf({ key: null, rawKey: null }).source).toMatchObject({ key: null });
  });

  it('keeps a key given only as text with a lone surrogate as its UTF-8 bytes, and readable', () => {
    const letter = letterOf({ key: 'm-\ud800' });
    expect(letter.source.key).toBe('m-\\ud800');
    expect(Buffer.from(letter.source.keyBase64 ?? '', 'base64')).toEqual(Buffer.from('m-\ud800', 'utf8'));
  });

  it('lists headers whose name holds NUL with the name’s bytes, every value in order, and keeps __proto__ as a header', () => {
    const headers: ConsumedMessage['headers'] = Object.fromEntries([
      ['tr\u0000ce', [Buffer.from([0x00, 0x01]), NOT_UTF8]],
      ['__proto__', Buffer.from('p')],
      ['ok', NOT_UTF8],
    ]);
    const letter = letterOf({ headers });
    expect(letter.rawHeaders).toEqual([
      { nameBase64: Buffer.from('tr\u0000ce').toString('base64'), valueBase64: Buffer.from([0x00, 0x01]).toString('base64') },
      { nameBase64: Buffer.from('tr\u0000ce').toString('base64'), valueBase64: NOT_UTF8.toString('base64') },
    ]);
    expect(Object.keys(letter.headers)).toEqual(['__proto__', 'ok']);
    expect(Buffer.from(letter.headers.ok, 'base64').equals(NOT_UTF8)).toBe(true);
    expect(letter).not.toHaveProperty('repeatedHeaders');
    expect(Object.keys(JSON.parse(JSON.stringify(letter)).headers)).toEqual(['__proto__', 'ok']);
  });

  it('writes NUL and lone surrogates of the reason and the field errors out as escapes', () => {
    const letter = letterOf({}, {
      reason: 'invalid_json',
      message: 'Unexpected token \u0000 in \ud800',
      fieldErrors: [{ field: 'a\u0000', problems: ['\udc00'] }],
    } as never);
    expect(letter.message).toBe('Unexpected token \\u0000 in \\ud800');
    expect(letter.fieldErrors).toEqual([{ field: 'a\\u0000', problems: ['\\udc00'] }]);
  });

  it('has no string PostgreSQL would refuse, whatever key, headers and message it came from', () => {
    const letter = letterOf(
      {
        key: '\u0000',
        rawKey: Buffer.from([0, 0xff]),
        headers: Object.fromEntries([
          ['\u0000', Buffer.from([0])],
          ['h\ud800', Buffer.from([0xff])],
        ]),
      },
      { reason: 'invalid_json', message: '\u0000\ud800' },
    );
    expect(strings(letter).filter((text) => !isStorableText(text))).toEqual([]);
    // No escape jsonb refuses: a backslash before one is itself escaped.
    expect(JSON.stringify(letter)).not.toMatch(/(^|[^\\])(\\\\)*\\u(0000|d[89a-f])/);
  });
});
