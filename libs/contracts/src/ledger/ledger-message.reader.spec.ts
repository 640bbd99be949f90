import { readLedgerMessage } from './ledger-message.reader';

const valid = {
  position: '42',
  memberId: 'm-1',
  version: 3,
  eventId: '5f0c7e1a-7f55-4c43-9a43-2f7d3a1c9b10',
  type: 'points.earned',
  data: { points: 10 },
  occurredAt: '2026-11-23T10:00:00.000Z',
  recordedAt: '2026-11-23T10:00:01.000Z',
  causationId: 'purchase:o-1',
  hash: 'ab',
};
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('reading a loyalty.ledger.v1 message', () => {
  it('gives the event back, its position as text', () => {
    expect(readLedgerMessage(bytes({ ...valid, position: 42 }))).toEqual(valid);
  });

  it.each([
    ['an empty value', null, 'empty_message'],
    ['a value that is not JSON', '{"not json', 'invalid_json'],
    ['JSON that is not an object', '[1,2]', 'validation_failed'],
    ['an event without its member', { ...valid, memberId: '' }, 'validation_failed'],
    ['a version that is not a positive whole number', { ...valid, version: 0 }, 'validation_failed'],
    ['a position that is not a number', { ...valid, position: 'x' }, 'validation_failed'],
    ['an occurredAt that is not a time', { ...valid, occurredAt: 'yesterday' }, 'validation_failed'],
    ['an event without data', { ...valid, data: null }, 'validation_failed'],
  ])('says why it cannot read %s', (_, value, reason) => {
    expect(readLedgerMessage(value === null ? null : bytes(value))).toMatchObject({ reason });
  });
});
