import { clawedBackAt, earnedAt, given } from '../testing/ledger.fixtures';
import { qualifyingPoints } from './qualifying-points';

const ROLLING_365 = { kind: 'rolling-days', days: 365 } as const;
const CALENDAR_YEAR = { kind: 'calendar-year' } as const;

describe('qualifyingPoints', () => {
  const state = given(
    earnedAt('2025-03-02T23:59:59Z', 100), // 365 days before 2026-03-02: out of a 365-day window
    earnedAt('2025-03-03T00:00:00Z', 200), // 364 days before: the window's first day
    earnedAt('2025-12-31T23:59:59Z', 400),
    earnedAt('2026-01-01T00:00:00Z', 800),
    earnedAt('2026-02-01T00:00:00Z', 5000, 'adjustment'),
    earnedAt('2026-03-02T23:00:00Z', 1600),
    earnedAt('2026-03-03T00:00:00Z', 3200), // after asOf
  );
  const asOf = '2026-03-02T12:00:00Z';

  it('counts a rolling window of N UTC days ending on the day of asOf, that day included', () => {
    expect(qualifyingPoints(state, asOf, ROLLING_365)).toBe(200 + 400 + 800 + 1600);
    expect(qualifyingPoints(state, asOf, { kind: 'rolling-days', days: 1 })).toBe(1600);
  });

  it('counts the calendar year of asOf', () => {
    expect(qualifyingPoints(state, asOf, CALENDAR_YEAR)).toBe(800 + 1600);
  });

  it('does not count adjustments', () => {
    expect(qualifyingPoints(given(earnedAt('2026-02-01T00:00:00Z', 5000, 'adjustment')), asOf, ROLLING_365)).toBe(0);
  });

  it('subtracts clawbacks on the day they happened', () => {
    // given 900 points earned last year, 300 this year, and 500 of last year's clawed back this year
    const lastYear = earnedAt('2025-01-10T00:00:00Z', 900);
    const lotId = lastYear.type === 'points.earned' ? lastYear.data.lotId : '';
    const state = given(lastYear, earnedAt('2026-01-10T00:00:00Z', 300), clawedBackAt('2026-02-10T00:00:00Z', 500, lotId));
    expect(qualifyingPoints(state, asOf, CALENDAR_YEAR)).toBe(-200);
    expect(qualifyingPoints(state, asOf, ROLLING_365)).toBe(-200);
    expect(qualifyingPoints(state, '2026-02-09T00:00:00Z', { kind: 'rolling-days', days: 400 })).toBe(1200);
  });
});
