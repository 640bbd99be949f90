import { SAMPLE_INPUTS } from '../testing/sample-inputs';
import { Topics } from '../topics/topics';
import { isStorableText } from '../text/storable-text';
import { MAX_INPUT_BYTES, MAX_INPUT_DEPTH, parseInput } from './parse-input';

const NOW = new Date('2026-11-23T02:00:00.000Z');
const purchase = SAMPLE_INPUTS.purchase;
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const parse = (value: unknown, topic = Topics.purchases.name) => parseInput(topic, value === null ? null : bytes(value), NOW);

describe('parsing input messages', () => {
  it('accepts a valid purchase, lines and all, and drops fields the contract does not name', () => {
    const parsed = parse({ ...purchase, loyaltyHack: 'x' });
    expect(parsed).toMatchObject({ ok: true, event: { ...purchase, lines: [purchase.lines[0]] } });
    expect(parsed.ok && 'loyaltyHack' in parsed.event).toBe(false);
  });

  it('accepts each topic’s own types only', () => {
    const checkIn = { eventId: 'app-ci-99', type: 'member.checked-in', occurredAt: '2026-11-23T08:01:00+08:00', memberId: 'm-1001' };
    expect(parse(checkIn, Topics.checkIns.name).ok).toBe(true);
    expect(parse(checkIn, Topics.purchases.name)).toMatchObject({ ok: false, reason: 'unknown_type' });
  });

  it('accepts February 29th of a leap year and a time with fractions of a second', () => {
    expect(parse({ ...purchase, occurredAt: '2024-02-29T10:15:00.123456+08:00' }).ok).toBe(true);
    expect(parse({ ...purchase, occurredAt: '2026-11-22T23:59:59.999Z' }).ok).toBe(true);
  });

  it.each([
    ['an empty message', null, 'empty_message'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid_json'],
    ['text that is not JSON', '{"eventId": ', 'invalid_json'],
    ['JSON that is not an object', '[1,2]', 'invalid_json'],
    ['an unknown type', { ...purchase, type: 'purchase.teleported' }, 'unknown_type'],
    ['a payload over the limit', { ...purchase, padding: 'x'.repeat(MAX_INPUT_BYTES) }, 'payload_too_large'],
    ['a date far in the future', { ...purchase, occurredAt: '2099-01-01T00:00:00+08:00' }, 'occurred_in_future'],
  ])('refuses %s with a reason code', (_what, value, reason) => {
    const parsed = Buffer.isBuffer(value) ? parseInput(Topics.purchases.name, value, NOW) : parse(value);
    expect(parsed).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['a negative amount', { amountMinor: -5 }, 'amountMinor'],
    ['a fractional amount', { amountMinor: 10.5 }, 'amountMinor'],
    ['an id with a space', { memberId: 'm 1' }, 'memberId'],
    ['a channel that does not exist', { channel: 'fax' }, 'channel'],
    ['a time without an offset', { occurredAt: '2026-11-23T10:15:00' }, 'occurredAt'],
    ['a day the month does not have', { occurredAt: '2026-02-30T10:00:00+08:00' }, 'occurredAt'],
    ['February 29th of a common year', { occurredAt: '2026-02-29T10:00:00+08:00' }, 'occurredAt'],
    ['an hour past the day', { occurredAt: '2026-11-22T24:30:00+08:00' }, 'occurredAt'],
    ['an offset beyond any zone', { occurredAt: '2026-11-22T10:00:00+25:00' }, 'occurredAt'],
    ['a line without a sku', { lines: [{ quantity: 1, amountMinor: 1 }] }, 'lines.0.sku'],
    ['lines nested in an array', { lines: [[purchase.lines[0]]] }, 'lines'],
  ])('names the field of %s', (_what, change, field) => {
    const parsed = parse({ ...purchase, ...change });
    expect(parsed).toMatchObject({ ok: false, reason: 'validation_failed', fieldErrors: [expect.objectContaining({ field })] });
  });
});

/** `value` inside `depth` levels of arrays, as JSON text (built as text: no recursion anywhere). */
const nestedText = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
/** A message's JSON text with `field` set to the JSON text `valueText`. */
const withFieldText = (message: object, field: string, valueText: string) => JSON.stringify({ ...message, [field]: '@@' }).replace('"@@"', valueText);
const PROTOTYPE_KEYS = ['toString', 'valueOf', 'constructor', '__proto__', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

describe('parsing input messages that could stop a consumer', () => {
  it.each(PROTOTYPE_KEYS)('refuses the type %s as unknown, not as Object.prototype’s member', (key) => {
    for (const topic of [Topics.purchases.name, Topics.checkIns.name, Topics.referrals.name, Topics.memberEvents.name]) {
      expect(parseInput(topic, bytes({ type: key }), NOW)).toMatchObject({ ok: false, reason: 'unknown_type' });
      expect(parseInput(topic, bytes({ ...purchase, type: key }), NOW)).toMatchObject({ ok: false, reason: 'unknown_type' });
    }
  });

  it.each(PROTOTYPE_KEYS)('refuses the topic %s as unknown', (key) => {
    expect(parseInput(key, bytes({ type: 'name' }), NOW)).toMatchObject({ ok: false, reason: 'unknown_topic' });
  });

  it('refuses a purchase whose lines nest 5,000 levels deep, naming lines, before anything recurses into them', () => {
    const text = withFieldText(purchase, 'lines', nestedText(5000));
    expect(text.length).toBeGreaterThan(10_000);
    expect(parseInput(Topics.purchases.name, Buffer.from(text), NOW)).toMatchObject({
      ok: false,
      reason: 'validation_failed',
      fieldErrors: [{ field: 'lines' }],
    });
  });

  it('refuses a message nested 5,000 levels deep at its top, whatever the field', () => {
    const chain = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    expect(parse(`{"type":"purchase.completed","a":${chain}}`)).toMatchObject({ ok: false, reason: 'validation_failed', fieldErrors: [{ field: 'a' }] });
    expect(parse(nestedText(5000))).toMatchObject({ ok: false, reason: 'invalid_json' });
    // 64 KB of `[` as the type: not described by re-serialising it.
    const type = nestedText(30_000);
    expect(parse(`{"type":${type}}`)).toMatchObject({ ok: false, reason: 'unknown_type' });
  });

  it(`refuses nesting past ${MAX_INPUT_DEPTH} levels only, and ignores any depth of a field the contract does not name in a valid purchase`, () => {
    const invalid = { ...purchase, amountMinor: -1 };
    expect(parse(withFieldText(invalid, 'extra', nestedText(MAX_INPUT_DEPTH - 1)))).toMatchObject({ fieldErrors: [{ field: 'amountMinor' }] });
    expect(parse(withFieldText(invalid, 'extra', nestedText(MAX_INPUT_DEPTH)))).toMatchObject({ fieldErrors: [{ field: 'extra' }] });
    const valid = parse(withFieldText(purchase, 'extra', nestedText(5000)));
    expect(valid).toMatchObject({ ok: true, event: purchase });
    expect(valid.ok && 'extra' in valid.event).toBe(false);
  });

  it('refuses a field holding an object with its own constructor key, on which class-transformer throws', () => {
    for (const field of ['memberId', 'extra']) {
      const text = withFieldText({ ...purchase, amountMinor: -1 }, field, '{"constructor":{"constructor":1}}');
      expect(parse(text)).toMatchObject({ ok: false, reason: 'validation_failed', fieldErrors: [{ field }] });
    }
  });

  it('refuses a message of more JSON values than class-transformer is given', () => {
    expect(parse(withFieldText({ ...purchase, amountMinor: -1 }, 'extra', `[${Array(20_000).fill(0).join(',')}]`))).toMatchObject({
      ok: false,
      reason: 'payload_too_large',
    });
  });

  it.each([
    ['NUL in a sku', { sku: 'tea\u0000' }, 'lines.0.sku'],
    ['a lone high surrogate in a category', { category: 'bev\ud800' }, 'lines.0.category'],
    ['a lone low surrogate in a sku', { sku: '\udc00tea' }, 'lines.0.sku'],
  ])('refuses %s, naming the field', (_what, change, field) => {
    const parsed = parse({ ...purchase, lines: [{ ...purchase.lines[0], ...change }] });
    expect(parsed).toMatchObject({ ok: false, reason: 'validation_failed', fieldErrors: [{ field, problems: [expect.stringContaining('NUL')] }] });
  });

  it('accepts a sku with a well-formed surrogate pair (an emoji)', () => {
    expect(parse({ ...purchase, lines: [{ ...purchase.lines[0], sku: 'tea-\u{1F375}' }] }).ok).toBe(true);
  });

  it.each([
    ['the bytes 00 01 02', Buffer.from([0, 1, 2])],
    ['a NUL byte inside a string (not JSON)', Buffer.from('{"type":"purchase.completed","eventId":"a\u0000b"}')],
    ['a type holding a lone surrogate', Buffer.from('{"type":"purchase.\\ud800"}')],
  ])('refuses %s with a message PostgreSQL can store', (_what, value) => {
    const parsed = parseInput(Topics.purchases.name, value, NOW);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && isStorableText(parsed.message) && (parsed.fieldErrors ?? []).every((e) => isStorableText(e.field))).toBe(true);
  });
});
