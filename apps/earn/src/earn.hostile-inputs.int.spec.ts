import { DeadLetter, Topics } from '@tally/contracts';
import { auditLedger, ledgerDataSourceOptions } from '@tally/ledger';
import { CompressionTypes } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EarnHarness, eventually, purchase } from './testing/earn-harness';

const MEMBERS = 10;
const memberOf = (i: number) => `m-${i % MEMBERS}`;
const valid = (i: number) => ({ key: memberOf(i), value: JSON.stringify(purchase(i, memberOf(i))) });

const PROTOTYPE_TYPES = ['toString', 'valueOf', 'constructor', '__proto__', 'hasOwnProperty'];
/** A purchase whose lines nest 5,000 arrays deep (about 10 KB). */
const DEEP_LINES = JSON.stringify({ ...purchase(9001, 'm-1'), lines: '@' }).replace('"@"', `${'['.repeat(5000)}${']'.repeat(5000)}`);
/** A key that is not UTF-8 and holds NUL. */
const NUL_KEY = Buffer.from([0x6d, 0x2d, 0x00, 0xff]);
const NUL_HEADER = 'trace\u0000id';

/** Every message the test sends that must become a dead letter, with its reason. */
const BAD: { what: string; reason: string; message: { key: string | Buffer; value: string | Buffer; headers?: Record<string, Buffer> } }[] = [
  ...PROTOTYPE_TYPES.map((type) => ({ what: `type ${type}`, reason: 'unknown_type', message: { key: 'm-1', value: JSON.stringify({ type }) } })),
  { what: 'lines 5,000 deep', reason: 'validation_failed', message: { key: 'm-1', value: DEEP_LINES } },
  { what: 'the bytes 00 01 02', reason: 'invalid_json', message: { key: 'm-1', value: Buffer.from([0x00, 0x01, 0x02]) } },
  {
    what: 'NUL in key and header name',
    reason: 'validation_failed',
    message: {
      key: NUL_KEY,
      value: JSON.stringify({ ...purchase(9002, 'm-1'), amountMinor: -1 }),
      headers: Object.fromEntries([
        [NUL_HEADER, Buffer.from([0xff, 0x00])],
        ['__proto__', Buffer.from('p')],
      ]),
    },
  },
];

describe('earn with inputs that used to stop it, through a real broker', () => {
  const h = new EarnHarness();
  beforeAll(() => h.start('hostile'));
  afterAll(() => h.stop());

  const caughtUp = () => eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 90_000, 'caught up');

  it('earns every valid purchase and dead-letters each hostile input with its reason, retrying none forever', async () => {
    await h.startEarn();
    // Each bad message between valid ones, all in one partition-spread send.
    const first = Array.from({ length: 60 }, (_, i) => valid(i));
    const interleaved = first.flatMap((message, i) => (i % 6 === 0 && BAD[i / 6] ? [message, BAD[i / 6].message] : [message]));
    await h.publishRaw(Topics.purchases.name, interleaved);
    await caughtUp();

    // An eventId used again with another body, for another member: after its first use is settled,
    // so the first use is the one that stands. Beside it, a plain redelivery, which stays silent,
    // and the redelivery of an input recorded before fingerprints were kept (NULL: unknown), too.
    const reused = { ...purchase(5, 'm-7', 50_000) };
    await h.sql.query(
      `INSERT INTO causations (scope, causation_id, outcome, fingerprint, result, recorded_at) VALUES ($1, 'pos-legacy', 'appended', NULL, '{"outcome":"earned"}', now())`,
      [Topics.purchases.name],
    );
    await h.publishRaw(Topics.purchases.name, [
      { key: 'm-7', value: JSON.stringify(reused) },
      valid(3),
      { key: 'm-2', value: JSON.stringify({ ...purchase(0, 'm-2'), eventId: 'pos-legacy' }) },
      ...Array.from({ length: 20 }, (_, i) => valid(60 + i)),
    ]);
    await caughtUp();

    // Every valid purchase earned once (100 points for 10,000 fen), nothing else did.
    const expected: Record<string, number> = {};
    for (let i = 0; i < 80; i++) expected[memberOf(i)] = (expected[memberOf(i)] ?? 0) + 100;
    expect(await h.balances()).toEqual(expected);
    expect(await h.count('SELECT count(*) FROM ledger_events')).toBe(80);

    const { rows } = await h.sql.query<{ reason: string; message: string; letter: DeadLetter }>(
      `SELECT reason, message, letter FROM dead_letters ORDER BY partition, "offset"`,
    );
    const byReason = (letters: { reason: string }[]) => letters.map((l) => l.reason).sort();
    expect(byReason(rows)).toEqual([...BAD.map((b) => b.reason), 'idempotency_conflict'].sort());

    // Every input earn recorded has its fingerprint; only the one recorded before fingerprints has none.
    expect(await h.count('SELECT count(*) FROM causations WHERE fingerprint IS NULL')).toBe(1);

    const conflict = rows.find((r) => r.reason === 'idempotency_conflict');
    expect(conflict?.message).toContain('pos-5');
    expect(Buffer.from(conflict?.letter.valueBase64 ?? '', 'base64').toString()).toBe(JSON.stringify(reused));

    const zeroOneTwo = rows.find((r) => r.letter.valueBase64 === Buffer.from([0, 1, 2]).toString('base64'));
    expect(zeroOneTwo?.reason).toBe('invalid_json');

    const nulKey = rows.find((r) => r.letter.source.keyBase64 !== undefined)?.letter;
    expect(Buffer.from(nulKey?.source.keyBase64 ?? '', 'base64')).toEqual(NUL_KEY);
    expect(nulKey?.rawHeaders).toEqual([{ nameBase64: Buffer.from(NUL_HEADER).toString('base64'), valueBase64: Buffer.from([0xff, 0x00]).toString('base64') }]);
    expect(nulKey?.headers).toEqual({ ['__proto__']: Buffer.from('p').toString('base64') });

    // The topic has each letter once (a retried batch would have published its letters again).
    const sent = await h.readDeadLetters(rows.length);
    const letters = sent.map((m) => JSON.parse(String(m.value)) as DeadLetter);
    const sources = (list: DeadLetter[]) => list.map((l) => `${l.source.partition}/${l.source.offset}/${l.reason}`).sort();
    expect(sources(letters)).toEqual(sources(rows.map((r) => r.letter)));
    const nulKeyRecord = sent.find((m) => (JSON.parse(String(m.value)) as DeadLetter).source.keyBase64 !== undefined);
    expect(nulKeyRecord?.key).toEqual(NUL_KEY);
  });

  it('refuses purchases dated before the program, reads an lz4 batch between them, and the audit stays clean', async () => {
    const before = await h.count('SELECT count(*) FROM ledger_events');
    const dated = (i: number, occurredAt: string) => ({ key: 'm-1', value: JSON.stringify({ ...purchase(i, 'm-1'), occurredAt }) });
    await h.publishRaw(Topics.purchases.name, [valid(100), dated(9970, '1970-01-01T00:00:00Z'), valid(101), dated(9111, '0001-01-01T00:00:00Z'), valid(102)]);
    await h.producer.send({ topic: `${h.namespace}${Topics.purchases.name}`, compression: CompressionTypes.LZ4, messages: [valid(103), valid(104)] });
    await eventually(
      async () => ((await h.count('SELECT count(*) FROM ledger_events')) === before + 5 ? true : undefined),
      90_000,
      'five more purchases earned',
    );
    await caughtUp();
    const refusals = await h.sql.query(`SELECT causation_id, code FROM rejections WHERE causation_id IN ('pos-9970', 'pos-9111') ORDER BY causation_id`);
    expect(refusals.rows).toEqual([
      { causation_id: 'pos-9111', code: 'OCCURRED_BEFORE_PROGRAM' },
      { causation_id: 'pos-9970', code: 'OCCURRED_BEFORE_PROGRAM' },
    ]);
    const dataSource = await new DataSource(ledgerDataSourceOptions(h.db.url, 2)).initialize();
    try {
      expect(await auditLedger(dataSource)).toMatchObject({ ok: true, violationCount: 0 });
    } finally {
      await dataSource.destroy();
    }
  });
});
