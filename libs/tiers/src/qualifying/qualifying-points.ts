import { addDays, utcDay } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { TierWindow } from '../tier.rules';

/** The first UTC day the window counts; the last is the day of `asOf`. */
const firstDayOf = (asOfDay: string, window: TierWindow): string => {
  switch (window.kind) {
    case 'rolling-days':
      return addDays(asOfDay, -(window.days - 1));
    case 'calendar-year':
      return `${asOfDay.slice(0, 4)}-01-01`;
    default: {
      const unknown: never = window;
      throw new Error(`unknown tier window ${JSON.stringify(unknown)}`);
    }
  }
};

/**
 * Qualifying points (earned except adjustments, minus clawbacks) in the window ending on the UTC day
 * of `asOf`, that day included: a rolling window of N days counts today and the N-1 days before.
 * Days after `asOf` do not count, so an evaluation at a past instant sees what was known to qualify then
 * (of what has been recorded). May be negative when clawbacks in the window exceed what it earned.
 */
export const qualifyingPoints = (state: MemberState, asOf: string, window: TierWindow): number => {
  const lastDay = utcDay(asOf);
  const firstDay = firstDayOf(lastDay, window);
  let total = 0;
  for (const [day, points] of state.qualifying) if (day >= firstDay && day <= lastDay) total += points;
  return total;
};
