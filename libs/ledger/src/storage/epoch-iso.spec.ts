import fc from 'fast-check';
import { EpochIsoFormatter, isoEpochMs, storedInstantText, timestamptzText } from './epoch-iso';

describe('formatting epoch milliseconds as ISO text', () => {
  it('writes what toISOString writes, for instants in any order (the day prefix is reused only when it fits)', () => {
    const formatter = new EpochIsoFormatter();
    // From before 1970 to past year 9999 (toISOString's extended years), whole milliseconds.
    const instant = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 + 86_400_000 * 400 });
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the edges of a day and of a leap year', () => {
    const formatter = new EpochIsoFormatter();
    for (const iso of [
      '2028-02-29T00:00:00.000Z',
      '2028-02-29T23:59:59.999Z',
      '2028-03-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
    ]) {
      expect(formatter.format(Date.parse(iso))).toBe(iso);
    }
  });
});

describe('reading ISO text as epoch milliseconds', () => {
  const instant = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 + 86_400_000 * 400 });

  it('gives what Date.parse gives for any instant toISOString wrote', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const iso = new Date(ms).toISOString();
        expect(isoEpochMs(iso)).toBe(Date.parse(iso));
        expect(isoEpochMs(iso)).toBe(ms);
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves every other form to Date.parse', () => {
    for (const text of ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000+01:00', '+010000-01-01T00:00:00.000Z', '2026-03-01', 'not a date']) {
      expect(Object.is(isoEpochMs(text), Date.parse(text))).toBe(true);
    }
  });
});

describe('instants as text PostgreSQL reads', () => {
  it('is toISOString() for years 1 to 9999', () => {
    for (const iso of ['0001-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z']) {
      expect(timestamptzText(Date.parse(iso))).toBe(iso);
      expect(storedInstantText(iso)).toBe(iso);
    }
  });

  it('writes years before 1 as BC (there is no year 0) and longer years without a sign', () => {
    expect(timestamptzText(Date.parse('0000-12-31T16:00:00.000Z'))).toBe('0001-12-31T16:00:00.000Z BC');
    expect(timestamptzText(Date.parse('-000001-12-31T06:00:00.000Z'))).toBe('0002-12-31T06:00:00.000Z BC');
    expect(timestamptzText(Date.parse('+010000-01-01T17:59:59.999Z'))).toBe('10000-01-01T17:59:59.999Z');
    expect(storedInstantText('0000-12-31T16:00:00.000Z')).toBe('0001-12-31T16:00:00.000Z BC');
    expect(storedInstantText('+010000-01-01T17:59:59.999Z')).toBe('10000-01-01T17:59:59.999Z');
  });
});
