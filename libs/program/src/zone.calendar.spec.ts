import { addDays } from '@tally/contracts';
import { WALL_CLOCK_PARTS, dayInZone, isTimeZone, localDateTimeAt, startOfLocalDay, zoneOffsetMs } from './zone.calendar';

describe('zone calendar', () => {
  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Asia/Atlantis')).toBe(false);
  });

  it('measures the offset, daylight saving included', () => {
    expect(zoneOffsetMs('Asia/Shanghai', Date.parse('2026-07-01T00:00:00Z'))).toBe(8 * 3_600_000);
    expect(zoneOffsetMs('America/New_York', Date.parse('2026-07-01T00:00:00Z'))).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs('America/New_York', Date.parse('2026-01-01T00:00:00Z'))).toBe(-5 * 3_600_000);
  });

  it('finds the instant a local day begins, on either side of a DST change', () => {
    // New York springs forward on 8 March 2026 and falls back on 1 November 2026
    expect(new Date(startOfLocalDay('America/New_York', 2026, 3, 8)).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(startOfLocalDay('America/New_York', 2026, 3, 9)).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(new Date(startOfLocalDay('America/New_York', 2026, 11, 2)).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(new Date(startOfLocalDay('Asia/Shanghai', 2026, 13, 1)).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('gives the local date of an instant', () => {
    expect(dayInZone('Pacific/Kiritimati', Date.parse('2026-01-01T10:00:00Z'))).toBe('2026-01-02');
  });

  it('reads every instant as Intl does, across daylight-saving changes and odd offsets', () => {
    const intl = (timeZone: string, instant: number) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone, ...WALL_CLOCK_PARTS }).formatToParts(instant);
      const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
    };
    // New York, Lord Howe (moves by 30 minutes), Kathmandu (+5:45), Chatham (+12:45/+13:45).
    const changes: [string, string][] = [
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['Asia/Kathmandu', '2026-06-01T00:00:00Z'],
      ['Pacific/Chatham', '2026-04-04T14:00:00Z'],
      // Local midnights, where the day changes.
      ['Asia/Shanghai', '2026-11-20T16:00:00Z'],
      ['Asia/Kathmandu', '2026-06-01T18:15:00Z'],
    ];
    for (const [zone, around] of changes) {
      const centre = Date.parse(around);
      for (let minute = -90; minute <= 90; minute += 1) {
        const instant = centre + minute * 60_000 + 17_345;
        const local = intl(zone, instant);
        expect(localDateTimeAt(zone, instant)).toEqual(local);
        expect(dayInZone(zone, instant)).toBe(`${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`);
      }
    }
  });

  it('adds days to a date across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });
});
