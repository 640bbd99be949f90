import { createHash } from 'node:crypto';
import { GENESIS_HASH, assertHashableId, eventHash, hashedText } from './event-hash';

const event = {
  memberId: 'm-1001',
  version: 3,
  eventId: '0F8FAD5B-D9CB-469F-A165-70867728950E',
  type: 'points.expired',
  occurredAt: '2026-11-23T10:15:00+08:00',
  recordedAt: '2026-11-23T02:15:00.123Z',
  causationId: 'expiry:lot-1',
  dataText: '["lot-1",70]',
};

describe('event hash', () => {
  it('covers the fields one per line, times in microseconds and the data text last', () => {
    expect(hashedText(event)).toBe(
      'm-1001\n3\n0f8fad5b-d9cb-469f-a165-70867728950e\npoints.expired\n1795400100000000\n1795400100123000\nexpiry:lot-1\n["lot-1",70]',
    );
  });

  it('writes each instant it is given, however the recent ones repeat', () => {
    const times = ['2026-11-23T02:15:00.123Z', '2026-11-23T10:15:00+08:00', '2026-11-23T02:15:00.124Z', '2026-11-23T02:15:00.123Z', '2026-11-24T00:00:00.000Z'];
    for (const occurredAt of [...times, ...[...times].reverse()]) {
      for (const recordedAt of [times[0], times[2]]) {
        const [, , , , occurred, recorded] = hashedText({ ...event, occurredAt, recordedAt }).split('\n');
        expect([occurred, recorded]).toEqual([`${Date.parse(occurredAt)}000`, `${Date.parse(recordedAt)}000`]);
      }
    }
  });

  it('writes microseconds as PostgreSQL writes the bigint: the epoch as 0, instants before it negative', () => {
    const microsOf = (occurredAt: string) => hashedText({ ...event, occurredAt }).split('\n')[4];
    expect(microsOf('1970-01-01T00:00:00.000Z')).toBe('0');
    expect(microsOf('1970-01-01T08:00:00+08:00')).toBe('0');
    expect(microsOf('1970-01-01T00:00:00.001Z')).toBe('1000');
    expect(microsOf('1969-12-31T23:59:59.999Z')).toBe('-1000');
    expect(microsOf('0001-01-01T00:00:00.000Z')).toBe('-62135596800000000');
  });

  it('changes with any field and with the previous hash', () => {
    const base = eventHash(GENESIS_HASH, event);
    expect(eventHash(GENESIS_HASH, { ...event, dataText: '["lot-1",71]' })).not.toBe(base);
    expect(eventHash(GENESIS_HASH, { ...event, recordedAt: '2026-11-23T02:15:00.124Z' })).not.toBe(base);
    expect(eventHash('01'.repeat(32), event)).not.toBe(base);
  });

  it('is SHA-256 over the previous hash then the text, for texts of any length (short ones share a buffer)', () => {
    for (const dataText of ['["lot-1",70]', `["${'é'.repeat(9_000)}"]`, `["${'x'.repeat(20_000)}"]`]) {
      const one = { ...event, dataText };
      const expected = createHash('sha256').update(Buffer.alloc(32, 7)).update(hashedText(one), 'utf8').digest('hex');
      expect(eventHash('07'.repeat(32), one)).toBe(expected);
    }
  });

  it('refuses a previous hash that is not 32 bytes of hex', () => {
    expect(() => eventHash('ab'.repeat(31), event)).toThrow(/not a SHA-256 digest/);
    expect(() => eventHash('zz'.repeat(32), event)).toThrow(/not a SHA-256 digest/);
  });

  it('refuses ids that would make the hashed text ambiguous', () => {
    expect(() => assertHashableId('causationId', 'a\nb')).toThrow(/line break/);
  });
});
