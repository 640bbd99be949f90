import { Program } from './program.types';
import { MS_PER_DAY } from '@tally/contracts';
import { dayInZone, localDateTimeAt, startOfLocalDay, toIso } from './zone.calendar';

/** The earliest `occurredAt` the program accepts, in epoch milliseconds: `earliestOccurredAt`, else its start. */
export const earliestOccurredMs = (program: Program): number => Date.parse(program.earliestOccurredAt ?? program.startsAt);

/** The business day (`YYYY-MM-DD`) of an instant: its calendar date in the program time zone. */
export const businessDay = (program: Program, isoInstant: string): string => dayInZone(program.timeZone, Date.parse(isoInstant));

/** The last instant before a local date begins: the end of the previous day, to the millisecond. */
const lastInstantBefore = (program: Program, year: number, month: number, day: number): string =>
  toIso(startOfLocalDay(program.timeZone, year, month, day) - 1);

/** When points earned at `occurredAt` expire under the program's expiry policy (an ISO instant, UTC). */
export const expiresAtFor = (program: Program, occurredAt: string): string => {
  const at = Date.parse(occurredAt);
  const { policy } = program.expiry;
  switch (policy.kind) {
    case 'rolling-days':
      return toIso(at + policy.days * MS_PER_DAY);
    case 'end-of-month': {
      const { year, month } = localDateTimeAt(program.timeZone, at);
      return lastInstantBefore(program, year, month + policy.months + 1, 1);
    }
    case 'end-of-year-after-months': {
      const { year, month } = localDateTimeAt(program.timeZone, at);
      const yearAfter = year + Math.floor((month - 1 + policy.months) / 12);
      return lastInstantBefore(program, yearAfter + 1, 1, 1);
    }
    default: {
      const unhandled: never = policy;
      throw new Error(`unhandled expiry policy ${(unhandled as { kind: string }).kind}`);
    }
  }
};

/** When purchase points earned at `occurredAt` become available; undefined when there is no pending period. */
export const availableAtFor = (program: Program, occurredAt: string): string | undefined => {
  const { pendingDays } = program.purchase;
  return pendingDays === undefined ? undefined : toIso(Date.parse(occurredAt) + pendingDays * MS_PER_DAY);
};
