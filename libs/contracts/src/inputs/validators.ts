import { Matches, ValidationOptions } from 'class-validator';
import { EVENT_ID_PATTERN, ID_PATTERN } from '../ids';

/** ISO-8601 with an explicit offset (`Z` or `+08:00`): business time must never be ambiguous. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const IsId = (options?: ValidationOptions) =>
  Matches(ID_PATTERN, { message: '$property must be 1-64 characters of [A-Za-z0-9._:-]', ...options });

export const IsEventId = () =>
  Matches(EVENT_ID_PATTERN, { message: '$property must be 1-128 characters of [A-Za-z0-9._:-]' });

export const IsBusinessTime = () =>
  Matches(ISO_WITH_OFFSET, { message: '$property must be ISO-8601 with an offset, e.g. 2026-11-23T10:15:00+08:00' });

/** Largest amount accepted in minor units: above this a value is a producer bug, not a purchase. */
export const MAX_AMOUNT_MINOR = 100_000_000_000;
