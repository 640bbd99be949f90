import { isoWeekOf, periodKeysOf } from './periods';

describe('leaderboard periods', () => {
  it.each([
    ['2026-11-23', '2026-W48'],
    ['2021-01-03', '2020-W53'],
    ['2020-12-31', '2020-W53'],
    ['2027-01-01', '2026-W53'],
    ['2024-12-30', '2025-W01'],
    ['2026-01-01', '2026-W01'],
  ])('puts %s in ISO week %s', (day, week) => {
    expect(isoWeekOf(day)).toBe(week);
  });

  it('adds a campaign whose window [start, end) holds the instant', () => {
    const campaigns = [
      { id: 'double-11', start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00', multiplier: 2 },
      { id: 'later', start: '2026-12-01T00:00:00+08:00', end: '2026-12-02T00:00:00+08:00', multiplier: 2 },
    ];
    expect(periodKeysOf('2026-11-11', Date.parse('2026-11-11T23:59:59+08:00'), campaigns)).toEqual([
      ['day', '2026-11-11'],
      ['week', '2026-W46'],
      ['month', '2026-11'],
      ['campaign', 'double-11'],
    ]);
    expect(periodKeysOf('2026-11-12', Date.parse('2026-11-12T00:00:00+08:00'), campaigns).map(([p]) => p)).toEqual(['day', 'week', 'month']);
  });
});
