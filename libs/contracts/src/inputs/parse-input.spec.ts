import { Topics } from '../topics/topics';
import { MAX_INPUT_BYTES, parseInput } from './parse-input';

const NOW = new Date('2026-11-23T02:00:00.000Z');
const purchase = {
  eventId: 'pos-7-000123',
  type: 'purchase.completed',
  occurredAt: '2026-11-23T10:15:00+08:00',
  memberId: 'm-1001',
  storeId: 'sh-07',
  channel: 'store',
  orderId: 'o-555',
  amountMinor: 12990,
  currency: 'CNY',
  lines: [{ sku: 'tea-01', category: 'beverage', quantity: 2, amountMinor: 3000 }],
};
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
