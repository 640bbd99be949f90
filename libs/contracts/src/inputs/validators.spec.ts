import { isCalendarTime } from './validators';

describe('times the calendar has', () => {
  it.each(['2026-11-23T10:15:00+08:00', '2026-11-22T10:00+05:30', '2024-02-29T10:15:00.123456+08:00', '2000-02-29T00:00:00Z', '2026-12-31T23:59:59.999-12:00'])(
    'accepts %s',
    (text) => expect(isCalendarTime(text)).toBe(true),
  );

  it.each([
    ['a day the month lacks', '2026-02-30T10:00:00+08:00'],
    ['February 29th of a common year', '2026-02-29T00:00Z'],
    ['February 29th of a century not divisible by 400', '1900-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-11-00T00:00:00Z'],
    ['hour 24', '2026-11-22T24:30:00+08:00'],
    ['second 60', '2026-11-22T10:00:60Z'],
    ['an offset beyond any zone', '2026-11-22T10:00:00+25:00'],
    ['offset minutes past 59', '2026-11-22T10:00-05:60'],
    ['a time without an offset', '2026-11-22T10:00:00'],
  ])('refuses %s', (_what, text) => expect(isCalendarTime(text)).toBe(false));
});
