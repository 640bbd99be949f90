import { Campaign } from '@tally/program';

/** Leaderboard periods: a business day, an ISO week, a calendar month, or a campaign's window. */
export type Period = 'day' | 'week' | 'month' | 'campaign';
export const PERIODS: readonly Period[] = ['day', 'week', 'month', 'campaign'];

/** ISO-8601 week of a `YYYY-MM-DD` day, written `YYYY-Www` (the week's Thursday decides its year). */
export const isoWeekOf = (day: string): string => {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const year = date.getUTCFullYear();
  const week = 1 + Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
};

const WEEKS_KEPT = 10_000;
const weeks = new Map<string, string>();
/** `isoWeekOf` remembered per day: every earning asks for its day's week, and a batch has few days. */
const weekOfDay = (day: string): string => {
  let week = weeks.get(day);
  if (week === undefined) {
    week = isoWeekOf(day);
    if (weeks.size >= WEEKS_KEPT) weeks.clear();
    weeks.set(day, week);
  }
  return week;
};

export const monthOf = (day: string): string => day.slice(0, 7);

/** The period keys an instant on a business day falls in, campaigns by their window on `occurredAt`. */
export const periodKeysOf = (day: string, occurredAtMs: number, campaigns: readonly Campaign[]): [Period, string][] => {
  const keys: [Period, string][] = [
    ['day', day],
    ['week', weekOfDay(day)],
    ['month', monthOf(day)],
  ];
  for (const campaign of campaigns) {
    if (Date.parse(campaign.start) <= occurredAtMs && occurredAtMs < Date.parse(campaign.end)) keys.push(['campaign', campaign.id]);
  }
  return keys;
};
