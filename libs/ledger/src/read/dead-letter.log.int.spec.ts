import { DeadLetter } from '@tally/contracts';
import { ConsumedMessage, toDeadLetter } from '@tally/messaging';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { DeadLetterLog } from './dead-letter.log';

const NOT_UTF8 = Buffer.from([0x6d, 0xff, 0xfe, 0x00, 0x31]);

const original = (offset: number, fields: Partial<ConsumedMessage>): ConsumedMessage => ({
  topic: 'x.loyalty.purchases.v1',
  contractTopic: 'loyalty.purchases.v1',
  partition: 0,
  offset: String(offset),
  key: null,
  value: null,
  headers: {},
  timestamp: '2026-11-20T00:00:00.000Z',
  ...fields,
});

/** The originals: NUL, bytes that are not UTF-8 and lone surrogates in key, header names and values, and value. */
const ORIGINALS = [
  original(0, {
    key: 'm-1\u0000',
    rawKey: Buffer.from('m-1\u0000'),
    value: Buffer.from([0x00, 0x01, 0x02]),
    headers: Object.fromEntries([
      ['trace\u0000id', [NOT_UTF8, Buffer.from([0x00])]],
      ['__proto__', Buffer.from('p')],
    ]),
  }),
  original(1, { key: NOT_UTF8.toString('utf8'), rawKey: NOT_UTF8, value: NOT_UTF8, headers: { ok: NOT_UTF8 } }),
  // Lone surrogates can only be in texts: a key made by hand, a header name, JSON escapes in the value.
  original(2, { key: 'm-\ud800', value: Buffer.from('{"sku":"\\ud800\\u0000"}'), headers: Object.fromEntries([['h\udc00', Buffer.from('v')]]) }),
];

const PROBLEM = {
  reason: 'invalid_json' as const,
  message: 'Unexpected token \'\u0000\', "\u0000\u0001" \ud800 is not valid JSON',
  fieldErrors: [{ field: 'lines.0.sku\u0000', problems: ['\udc00'] }],
};

/** Every header of a message as [name bytes, value bytes], in a stable order. */
const headerBytes = (headers: ConsumedMessage['headers']) =>
  Object.entries(headers)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [Buffer.from(name, 'utf8').toString('hex'), v.toString('hex')]))
    .sort();

/** The headers a stored letter gives back, the same way. */
const headersOfLetter = (letter: DeadLetter) =>
  [
    ...Object.keys(letter.headers).flatMap((name) =>
      (letter.repeatedHeaders && Object.hasOwn(letter.repeatedHeaders, name) ? letter.repeatedHeaders[name] : [letter.headers[name]]).map((v) => [
        Buffer.from(name, 'utf8').toString('hex'),
        Buffer.from(v, 'base64').toString('hex'),
      ]),
    ),
    ...(letter.rawHeaders ?? []).map((h) => [Buffer.from(h.nameBase64, 'base64').toString('hex'), Buffer.from(h.valueBase64, 'base64').toString('hex')]),
  ].sort();

const keyOfLetter = (letter: DeadLetter) =>
  letter.source.keyBase64 !== undefined
    ? Buffer.from(letter.source.keyBase64, 'base64')
    : letter.source.key === null
      ? null
      : Buffer.from(letter.source.key, 'utf8');

describe('the dead-letter log in PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let log: DeadLetterLog;

  beforeAll(async () => {
    db = await createTestDatabase('dead_letter_log', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
    log = new DeadLetterLog(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const stored = async () =>
    (await dataSource.query(`SELECT "offset", reason, message, letter FROM dead_letters ORDER BY "offset"`)) as {
      offset: string;
      reason: string;
      message: string;
      letter: DeadLetter;
    }[];

  it('stores letters of originals holding NUL, bytes that are not UTF-8 and lone surrogates, and gives every original byte back', async () => {
    const letters = ORIGINALS.map((o) => toDeadLetter(o, PROBLEM, 'tally-earn\u0000', new Date('2026-11-20T00:00:01Z')));
    await log.record(letters);
    await log.record(letters);

    const rows = await stored();
    expect(rows.map((r) => r.offset)).toEqual(['0', '1', '2']);
    rows.forEach((row, i) => {
      const o = ORIGINALS[i];
      expect(Buffer.from(row.letter.valueBase64 ?? '', 'base64')).toEqual(o.value);
      expect(keyOfLetter(row.letter)).toEqual(o.rawKey !== undefined ? o.rawKey : Buffer.from(o.key ?? '', 'utf8'));
      expect(headersOfLetter(row.letter)).toEqual(headerBytes(o.headers));
      // The texts, escaped where PostgreSQL could not hold them, say what they said.
      expect(row.message).toBe('Unexpected token \'\\u0000\', "\\u0000\u0001" \\ud800 is not valid JSON');
      expect(row.letter.message).toBe(row.message);
      expect(row.letter.fieldErrors).toEqual([{ field: 'lines.0.sku\\u0000', problems: ['\\udc00'] }]);
      expect(row.letter.consumerGroup).toBe('tally-earn\\u0000');
    });
    expect(rows[0].letter.headers).toHaveProperty('__proto__', Buffer.from('p').toString('base64'));
  });

  it('stores a letter not made by toDeadLetter, whose texts and header names hold NUL and lone surrogates', async () => {
    const letter: DeadLetter = {
      reason: 'processing_failed',
      message: 'boom \u0000 \ud83d',
      source: { topic: 'loyalty.purchases.v1', partition: 3, offset: '9', key: 'm-\u0000', timestamp: '2026-11-20T00:00:00.000Z' },
      valueBase64: null,
      headers: Object.fromEntries([
        ['n\u0000', 'AA=='],
        ['\udfff', 'AQ=='],
      ]),
      consumerGroup: 'g',
      deadLetteredAt: '2026-11-20T00:00:01.000Z',
    };
    await log.record([letter]);
    const [row] = (await stored()).filter((r) => r.offset === '9');
    expect(row.message).toBe('boom \\u0000 \\ud83d');
    expect(row.letter.source.key).toBe('m-\\u0000');
    expect(row.letter.headers).toEqual({ 'n\\u0000': 'AA==', '\\udfff': 'AQ==' });
  });
});
