import { createHash } from 'node:crypto';
import { DeadLetter } from '@tally/contracts';
import { ConsumedMessage } from './batch.consumer';
import {
  DEAD_LETTER_RECORD_LIMIT_BYTES,
  DEAD_LETTER_SEND_BUDGET_BYTES,
  FULL_LETTER_AT,
  LetterToSend,
  packSends,
  planFitting,
  planLetter,
  recordSize,
} from './dead-letter.packer';
import { toDeadLetter } from './dead-letters';

const consumed = (offset: number, value: Buffer | null, headers: ConsumedMessage['headers'] = {}): ConsumedMessage => ({
  topic: 't-1.loyalty.purchases.v1',
  contractTopic: 'loyalty.purchases.v1',
  partition: 0,
  offset: String(offset),
  key: 'm-1',
  value,
  headers,
  timestamp: '1764000000000',
});

const item = (offset: number, valueBytes: number, headers: ConsumedMessage['headers'] = {}): LetterToSend => {
  const original = consumed(offset, Buffer.alloc(valueBytes, 'x'), headers);
  return { letter: toDeadLetter(original, { reason: 'invalid_json', message: 'not JSON' }, 'g', new Date('2026-11-20T00:00:00Z')), original };
};

const parse = (value: Buffer) => JSON.parse(value.toString()) as DeadLetter;

describe('dead-letter records', () => {
  it('keep a letter that fits whole: original bytes, original headers and the tally-dlq-* headers', () => {
    const letter = item(7, 100, { traceparent: Buffer.from('00-abc') });
    const planned = planFitting(letter);
    expect(planned.form).toBe(0);
    expect(parse(planned.record.value)).toEqual(letter.letter);
    expect(planned.record.headers).toEqual({
      traceparent: Buffer.from('00-abc'),
      'tally-dlq-reason': 'invalid_json',
      'tally-dlq-source': 'loyalty.purchases.v1/0/7',
    });
    expect(planned.record.key).toBe('m-1');
    expect(planned.size).toBe(recordSize(planned.record));
    expect(planned.size).toBeGreaterThan(planned.record.value.length);
  });

  it('keep a letter of a ~1 MB input whole (the topic is created with room for it)', () => {
    const planned = planFitting(item(1, 1024 * 1024));
    expect(planned.form).toBe(0);
    expect(planned.size).toBeGreaterThan(DEAD_LETTER_SEND_BUDGET_BYTES);
  });

  it('drop the value of a letter over the limit, with its size and hash and where the whole letter is, without touching the letter', () => {
    const letter = item(3, 2000);
    const before = structuredClone(letter.letter);
    const planned = planFitting(letter, 1000);
    expect(planned.form).toBe(1);
    expect(planned.size).toBeLessThanOrEqual(1000);
    const copy = parse(planned.record.value);
    expect(copy.valueBase64).toBeNull();
    expect(copy.valueTruncated).toEqual({
      originalBytes: 2000,
      sha256: createHash('sha256').update(Buffer.alloc(2000, 'x')).digest('hex'),
      fullLetterAt: FULL_LETTER_AT,
    });
    expect(copy.source).toEqual(letter.letter.source);
    expect(copy.reason).toBe('invalid_json');
    expect(letter.letter).toEqual(before);
  });

  it('also drop the headers when the value alone was not enough', () => {
    const letter = item(4, 10, { big: Buffer.alloc(5000, 'h'), small: Buffer.from('s') });
    const planned = planFitting(letter, 2000);
    expect(planned.form).toBe(2);
    const copy = parse(planned.record.value);
    expect(copy.headers).toEqual({});
    expect(copy.headersTruncated).toEqual({ count: 2, originalBytes: 5001, fullLetterAt: FULL_LETTER_AT });
    expect(Object.keys(planned.record.headers).sort()).toEqual(['tally-dlq-reason', 'tally-dlq-source']);
  });

  it('count and drop every value of a repeated header with the headers, and copy them whole otherwise', () => {
    const repeated = { tag: [Buffer.alloc(3000, 'a'), Buffer.alloc(3000, 'b')] };
    const whole = planFitting(item(5, 10, repeated));
    expect(whole.record.headers.tag).toEqual(repeated.tag);
    const slim = parse(planFitting(item(5, 10, repeated), 2000).record.value);
    expect(slim.headersTruncated).toEqual({ count: 2, originalBytes: 6000, fullLetterAt: FULL_LETTER_AT });
    expect(slim).not.toHaveProperty('repeatedHeaders');
  });

  it('slim a letter larger than the dead-letter topic limit even without being told a limit', () => {
    const planned = planFitting(item(5, Math.ceil(DEAD_LETTER_RECORD_LIMIT_BYTES * 0.8)));
    expect(planned.form).toBe(1);
  });

  it('have forms that can be asked for one after the other', () => {
    const letter = item(6, 10, { h: Buffer.from('v') });
    expect([0, 1, 2].map((form) => planLetter(letter, form).form)).toEqual([0, 1, 2]);
    expect(parse(planLetter(letter, 2).record.value)).toMatchObject({ valueBase64: null, headers: {} });
  });
});

describe('dead-letter records of an original with bytes that are not clean text', () => {
  const NOT_UTF8 = Buffer.from([0x6d, 0xff, 0x00, 0x02]);
  const original = (): ConsumedMessage => ({
    ...consumed(8, Buffer.from([0, 1, 2])),
    key: NOT_UTF8.toString('utf8'),
    rawKey: NOT_UTF8,
    headers: Object.fromEntries([
      ['na\u0000me', [Buffer.from([0xff]), Buffer.from([0x00])]],
      ['ok', NOT_UTF8],
    ]),
  });
  const itemOf = (message: ConsumedMessage): LetterToSend => ({
    letter: toDeadLetter(message, { reason: 'invalid_json', message: 'Unexpected token \u0000' }, 'g', new Date(0)),
    original: message,
  });

  it('carry the original key’s bytes and headers, names with NUL included, and a letter that keeps them all', () => {
    const planned = planFitting(itemOf(original()));
    expect(planned.record.key).toEqual(NOT_UTF8);
    expect(planned.record.headers['na\u0000me']).toEqual([Buffer.from([0xff]), Buffer.from([0x00])]);
    expect(planned.record.headers.ok).toEqual(NOT_UTF8);
    const copy = parse(planned.record.value);
    expect(Buffer.from(copy.source.keyBase64 ?? '', 'base64')).toEqual(NOT_UTF8);
    expect(copy.rawHeaders?.map((h) => [Buffer.from(h.nameBase64, 'base64').toString(), Buffer.from(h.valueBase64, 'base64')])).toEqual([
      ['na\u0000me', Buffer.from([0xff])],
      ['na\u0000me', Buffer.from([0x00])],
    ]);
    expect(Buffer.from(copy.valueBase64 ?? '', 'base64')).toEqual(Buffer.from([0, 1, 2]));
  });

  it('count headers named after Object.prototype members as headers when the headers do not fit', () => {
    const headers: ConsumedMessage['headers'] = Object.fromEntries([
      ['toString', Buffer.from('t')],
      ['__proto__', Buffer.from('p')],
      ['tag', [Buffer.from('a'), Buffer.from('b')]],
    ]);
    const copy = parse(planLetter(itemOf({ ...original(), headers }), 2).record.value);
    expect(copy.headersTruncated).toEqual({ count: 4, originalBytes: 4, fullLetterAt: FULL_LETTER_AT });
  });

  it('count and drop the headers listed by name bytes with the others when the headers do not fit', () => {
    const planned = planLetter(itemOf(original()), 2);
    const copy = parse(planned.record.value);
    expect(copy).not.toHaveProperty('rawHeaders');
    expect(copy.headersTruncated).toEqual({ count: 3, originalBytes: 2 + NOT_UTF8.length, fullLetterAt: FULL_LETTER_AT });
    expect(planned.record.key).toEqual(NOT_UTF8);
  });
});

describe('packing dead letters into sends', () => {
  const sizes = (sends: { size: number }[][]) => sends.map((send) => send.reduce((sum, l) => sum + l.size, 0));

  it('puts every letter, in order, in sends whose sizes add up to at most the budget', () => {
    const planned = Array.from({ length: 30 }, (_, i) => planFitting(item(i, 64 * 1024 + i * 100)));
    const sends = packSends(planned);
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.flat()).toEqual(planned);
    for (const total of sizes(sends)) expect(total).toBeLessThanOrEqual(DEAD_LETTER_SEND_BUDGET_BYTES);
  });

  it('sends a letter bigger than the budget alone, and its neighbours around it', () => {
    const planned = [planFitting(item(1, 100)), planFitting(item(2, 800 * 1024)), planFitting(item(3, 100))];
    expect(packSends(planned).map((send) => send.map((l) => l.item.original.offset))).toEqual([['1'], ['2'], ['3']]);
  });

  it('keeps small letters in one send', () => {
    const planned = Array.from({ length: 50 }, (_, i) => planFitting(item(i, 200)));
    expect(packSends(planned)).toEqual([planned]);
  });

  it('has nothing to send for no letters', () => {
    expect(packSends([])).toEqual([]);
  });
});
