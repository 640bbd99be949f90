import { IsOptional, IsString, Matches, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';
import { isStorableText } from '../text/storable-text';
import { EVENT_ID_PATTERN, ID_PATTERN } from '../ids';

/** ISO-8601 with an explicit offset (`Z` or `+08:00`): business time must never be ambiguous. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The two-digit number at `at`. */
const twoDigits = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

/**
 * Whether a text names a time that exists, in the `ISO_WITH_OFFSET` shape: `Date.parse` rolls
 * fields over (`2026-02-30` is read as March 2nd, `24:00` as the next day), which would date a
 * producer's bug to another day instead of refusing it. Read by position, the shape being fixed:
 * every consumed input is checked, and a regex's captures were a dozen strings a message.
 */
export const isCalendarTime = (text: string): boolean => {
  if (!ISO_WITH_OFFSET.test(text)) return false;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return false;
  if (month === 2 && day === 29 && !isLeapYear(year)) return false;
  const second = text.charCodeAt(16) === 58 /* : */ ? twoDigits(text, 17) : 0;
  const zulu = text.endsWith('Z');
  const offsetHours = zulu ? 0 : twoDigits(text, text.length - 5);
  const offsetMinutes = zulu ? 0 : twoDigits(text, text.length - 2);
  return twoDigits(text, 11) < 24 && twoDigits(text, 14) < 60 && second < 60 && offsetHours <= 18 && offsetMinutes < 60;
};

export const IsId = (options?: ValidationOptions) => Matches(ID_PATTERN, { message: '$property must be 1-64 characters of [A-Za-z0-9._:-]', ...options });

export const IsEventId = () => Matches(EVENT_ID_PATTERN, { message: '$property must be 1-128 characters of [A-Za-z0-9._:-]' });

export const IsBusinessTime = () => Matches(ISO_WITH_OFFSET, { message: '$property must be ISO-8601 with an offset, e.g. 2026-11-23T10:15:00+08:00' });

/** Largest amount accepted in minor units: above this a value is a producer bug, not a purchase. */
export const MAX_AMOUNT_MINOR = 100_000_000_000;

/** A free text the ledger can store as it is (no NUL, no lone surrogate). */
export const IsStorable = () =>
  ValidateBy({
    name: 'isStorable',
    validator: { validate: (v: unknown) => typeof v === 'string' && isStorableText(v), defaultMessage: () => '$property holds NUL or a lone surrogate' },
  });

/** An optional note a person writes (a transfer's, an ops action's): storable text of at most `maxLength`. */
export const IsNote =
  (maxLength: number): PropertyDecorator =>
  (target, key) => {
    for (const decorate of [IsString(), MaxLength(maxLength), IsStorable(), IsOptional()]) decorate(target, key);
  };
