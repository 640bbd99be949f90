import { INPUT_SCHEMAS, parseInput } from '@tally/contracts';
import {
  TOPIC_OF,
  TallyInput,
  TallyValidationError,
  eventId,
  keyOf,
  memberCheckedIn,
  occurredAt,
  problemsOf,
  purchaseCompleted,
  referralCompleted,
} from './index';

const NOW = new Date('2026-12-07T00:00:00Z');
const purchase = {
  eventId: 'pos-7-000123',
  occurredAt: '2026-11-23T10:15:00+08:00',
  memberId: 'm-1001',
  storeId: 'sh-07',
  channel: 'store' as const,
  orderId: 'o-555',
  amountMinor: 12990,
  currency: 'CNY',
  lines: [{ sku: 'tea-01', category: 'beverage', quantity: 2, amountMinor: 3000 }],
};

describe('producer SDK', () => {
  it('sends each type to the topic Tally reads it from', () => {
    const tally = Object.entries(INPUT_SCHEMAS).flatMap(([topic, types]) => Object.keys(types).map((type) => [type, topic]));
    expect(Object.entries(TOPIC_OF).sort()).toEqual(tally.sort());
  });

  it('builds a valid purchase and keys it by member; a referral by its referrer', () => {
    const built = purchaseCompleted(purchase);
    expect(built.type).toBe('purchase.completed');
    expect(keyOf(built)).toBe('m-1001');
    expect(keyOf(referralCompleted({ eventId: 'ref-42', occurredAt: '2026-11-23T12:00:00+08:00', referrerId: 'm-1', refereeId: 'm-2' }))).toBe('m-1');
  });

  it('refuses, before sending, what Tally would dead-letter, naming each field', () => {
    const attempt = () => purchaseCompleted({ ...purchase, amountMinor: 1.5, currency: 'cny' });
    expect(attempt).toThrow(TallyValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as TallyValidationError).fieldErrors.map((e) => e.field).sort()).toEqual(['amountMinor', 'currency']);
    }
    expect(() => memberCheckedIn({ eventId: 'ci-1', occurredAt: '2026-02-30T08:00:00+08:00', memberId: 'm-1' })).toThrow(/occurredAt: not a real date/);
  });

  it.each([
    ['a valid purchase', { type: 'purchase.completed', ...purchase }, true],
    ['no currency', { type: 'purchase.completed', ...purchase, currency: undefined }, false],
    ['a line of quantity 0', { type: 'purchase.completed', ...purchase, lines: [{ sku: 'x', quantity: 0, amountMinor: 1 }] }, false],
    ['a day that does not exist', { type: 'member.checked-in', eventId: 'c', occurredAt: '2026-04-31T08:00:00+08:00', memberId: 'm' }, false],
    ['two days ahead', { type: 'member.checked-in', eventId: 'c', occurredAt: '2026-12-09T08:00:00+08:00', memberId: 'm' }, false],
    ['a referral', { type: 'referral.completed', eventId: 'r', occurredAt: '2026-11-23T12:00:00Z', referrerId: 'a', refereeId: 'b' }, true],
  ])('agrees with Tally on %s', (_name, input, valid) => {
    const topic = TOPIC_OF[input.type as TallyInput['type']];
    const json = JSON.parse(JSON.stringify(input));
    const sdk = problemsOf(json as TallyInput, NOW).length === 0;
    expect({ sdk, tally: parseInput(topic, Buffer.from(JSON.stringify(json)), NOW).ok }).toEqual({ sdk: valid, tally: valid });
  });

  it('makes event ids of the producer id and a zero-padded sequence, and refuses ones Tally would', () => {
    expect(eventId('pos-7', 123)).toBe('pos-7-000123');
    expect(eventId('app', 'ci-99')).toBe('app-ci-99');
    expect(() => eventId('pos 7', 1)).toThrow(RangeError);
  });

  it('writes occurredAt in the local time of the offset it is given', () => {
    const instant = new Date('2026-11-23T02:15:00Z');
    expect(occurredAt(instant, '+08:00')).toBe('2026-11-23T10:15:00.000+08:00');
    expect(occurredAt(instant, '-05:30')).toBe('2026-11-22T20:45:00.000-05:30');
    expect(Date.parse(occurredAt(instant, '+08:00'))).toBe(instant.getTime());
    expect(occurredAt(instant)).toBe('2026-11-23T02:15:00.000Z');
  });
});
