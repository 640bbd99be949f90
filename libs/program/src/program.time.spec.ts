import { DEFAULT_PROGRAM } from './default-program';
import { availableAtFor, businessDay, earliestOccurredMs, expiresAtFor } from './program.time';
import { ExpiryPolicy, Program } from './program.types';

const withExpiry = (policy: ExpiryPolicy, timeZone = DEFAULT_PROGRAM.timeZone): Program => ({
  ...DEFAULT_PROGRAM,
  timeZone,
  expiry: { ...DEFAULT_PROGRAM.expiry, policy },
});

describe('earliestOccurredMs', () => {
  it('is the program start unless the program names an earliest occurredAt', () => {
    expect(earliestOccurredMs(DEFAULT_PROGRAM)).toBe(Date.parse('2019-12-31T16:00:00Z'));
    expect(earliestOccurredMs({ ...DEFAULT_PROGRAM, earliestOccurredAt: '2018-06-01T00:00:00-03:30' })).toBe(Date.parse('2018-06-01T03:30:00Z'));
  });
});

describe('businessDay', () => {
  it('is the calendar date in the program time zone, not in UTC', () => {
    // Shanghai is UTC+8: 16:00Z is already midnight of the next day there
    expect(businessDay(DEFAULT_PROGRAM, '2026-11-22T15:59:59.999Z')).toBe('2026-11-22');
    expect(businessDay(DEFAULT_PROGRAM, '2026-11-22T16:00:00Z')).toBe('2026-11-23');
  });

  it('reads the offset the instant is written with', () => {
    expect(businessDay(DEFAULT_PROGRAM, '2026-11-23T00:30:00+08:00')).toBe('2026-11-23');
    expect(businessDay(DEFAULT_PROGRAM, '2026-11-22T12:30:00-05:00')).toBe('2026-11-23');
  });

  it('follows another zone, including its daylight saving time', () => {
    const newYork = { ...DEFAULT_PROGRAM, timeZone: 'America/New_York' };
    expect(businessDay(newYork, '2026-07-01T03:59:59Z')).toBe('2026-06-30');
    expect(businessDay(newYork, '2026-07-01T04:00:00Z')).toBe('2026-07-01');
    expect(businessDay(newYork, '2026-01-01T04:59:59Z')).toBe('2025-12-31');
  });
});

describe('expiresAtFor', () => {
  it('rolling days: exactly that many days after occurredAt', () => {
    expect(expiresAtFor(DEFAULT_PROGRAM, '2026-11-23T10:15:00+08:00')).toBe('2027-11-23T02:15:00.000Z');
    expect(expiresAtFor(withExpiry({ kind: 'rolling-days', days: 30 }), '2026-02-10T00:00:00Z')).toBe('2026-03-12T00:00:00.000Z');
  });

  it('end of month: the last instant of the earning month in the program zone', () => {
    const program = withExpiry({ kind: 'end-of-month', months: 0 });
    expect(expiresAtFor(program, '2026-11-23T10:15:00+08:00')).toBe('2026-11-30T15:59:59.999Z');
    // 30 Nov 20:00 UTC is already 1 Dec in Shanghai
    expect(expiresAtFor(program, '2026-11-30T20:00:00Z')).toBe('2026-12-31T15:59:59.999Z');
  });

  it('end of month, some months later, across a year end', () => {
    expect(expiresAtFor(withExpiry({ kind: 'end-of-month', months: 2 }), '2026-12-05T12:00:00+08:00')).toBe('2027-02-28T15:59:59.999Z');
    expect(expiresAtFor(withExpiry({ kind: 'end-of-month', months: 14 }), '2026-11-05T12:00:00+08:00')).toBe('2028-01-31T15:59:59.999Z');
  });

  it('end of month in a zone with daylight saving time', () => {
    const program = withExpiry({ kind: 'end-of-month', months: 0 }, 'America/New_York');
    // April begins at 04:00Z (EDT), January at 05:00Z (EST)
    expect(expiresAtFor(program, '2026-03-20T12:00:00Z')).toBe('2026-04-01T03:59:59.999Z');
    expect(expiresAtFor(program, '2026-12-20T12:00:00Z')).toBe('2027-01-01T04:59:59.999Z');
  });

  it('end of the year after some months', () => {
    const program = withExpiry({ kind: 'end-of-year-after-months', months: 12 });
    // earned during 2026 -> 2026 plus 12 months falls in 2027 -> expires at the end of 2027
    expect(expiresAtFor(program, '2026-01-01T00:00:00+08:00')).toBe('2027-12-31T15:59:59.999Z');
    expect(expiresAtFor(program, '2026-12-31T23:59:00+08:00')).toBe('2027-12-31T15:59:59.999Z');
    expect(expiresAtFor(withExpiry({ kind: 'end-of-year-after-months', months: 6 }), '2026-06-30T12:00:00+08:00')).toBe('2026-12-31T15:59:59.999Z');
    expect(expiresAtFor(withExpiry({ kind: 'end-of-year-after-months', months: 6 }), '2026-07-01T12:00:00+08:00')).toBe('2027-12-31T15:59:59.999Z');
  });
});

describe('availableAtFor', () => {
  it('is undefined without a pending period', () => {
    expect(availableAtFor(DEFAULT_PROGRAM, '2026-11-23T10:15:00+08:00')).toBeUndefined();
  });

  it('is occurredAt plus the pending days', () => {
    const program = { ...DEFAULT_PROGRAM, purchase: { ...DEFAULT_PROGRAM.purchase, pendingDays: 14 } };
    expect(availableAtFor(program, '2026-11-23T10:15:00+08:00')).toBe('2026-12-07T02:15:00.000Z');
  });
});
