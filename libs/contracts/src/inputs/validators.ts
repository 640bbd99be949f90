import { Matches, ValidationOptions } from 'class-validator';
import { EVENT_ID_PATTERN, ID_PATTERN } from '../ids';

/** ISO-8601 with an explicit offset (`Z` or `+08:00`): business time must never be ambiguous. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * Whether an `ISO_WITH_OFFSET` text names a time that exists: `Date.parse` rolls fields over
 * (`2026-02-30` is read as March 2nd, `24:00` as the next day), which would date a producer's bug
 * to another day instead of refusing it.
 */
export const isCalendarTime = (text: string): boolean => {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?[^Z+-]*(?:Z|[+-](\d{2}):(\d{2}))$/.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((field) => Number(field ?? 0));
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return false;
  if (month === 2 && day === 29 && !isLeapYear(year)) return false;
  return hour < 24 && minute < 60 && second < 60 && offsetHours <= 18 && offsetMinutes < 60;
};

export const IsId = (options?: ValidationOptions) =>
  Matches(ID_PATTERN, { message: '$property must be 1-64 characters of [A-Za-z0-9._:-]', ...options });

export const IsEventId = () =>
  Matches(EVENT_ID_PATTERN, { message: '$property must be 1-128 characters of [A-Za-z0-9._:-]' });

export const IsBusinessTime = () =>
  Matches(ISO_WITH_OFFSET, { message: '$property must be ISO-8601 with an offset, e.g. 2026-11-23T10:15:00+08:00' });

/** Largest amount accepted in minor units: above this a value is a producer bug, not a purchase. */
export const MAX_AMOUNT_MINOR = 100_000_000_000;
