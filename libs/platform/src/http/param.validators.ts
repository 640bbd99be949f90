import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, isISO8601 } from 'class-validator';

/**
 * The field may be left out, but `null` is not leaving it out (class-validator's `@IsOptional`
 * takes both): `{"points": null}` is refused, not read as "the whole hold".
 */
export const MayBeAbsent = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** PostgreSQL's bigint: positions and row ids never exceed it, and a cursor above it is no cursor. */
export const MAX_POSITION = 9223372036854775807n;

/** A position or row id as a cursor: decimal digits, 0 to 2^63 - 1. */
export const isPosition = (value: unknown): value is string => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_POSITION;

export const IsPosition = () =>
  ValidateBy({
    name: 'isPosition',
    validator: { validate: isPosition, defaultMessage: (args) => `${args?.property} must be an integer from 0 to ${MAX_POSITION}` },
  });

/**
 * A query value is text: decimal digits become a number, anything else (`1e2`, `0x10`, a repeated
 * parameter's array) stays as sent, for the validator to refuse.
 */
export const DigitsToNumber = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value));

export const IsIntegerFrom = (min: number, max: number) =>
  ValidateBy({
    name: 'isIntegerFrom',
    constraints: [min, max],
    validator: {
      validate: (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
      defaultMessage: (args) => `${args?.property} must be an integer from ${min} to ${max}`,
    },
  });

/**
 * An ISO-8601 instant that `Date` can read. The standard has forms it cannot (week dates such as
 * `2026-W01`, a decimal comma), which would pass a plain ISO check and fail later as an invalid date.
 */
export const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && isISO8601(value, { strict: true }) && Number.isFinite(Date.parse(value));

export const IsInstant = () =>
  ValidateBy({
    name: 'isInstant',
    validator: { validate: isInstant, defaultMessage: (args) => `${args?.property} must be an ISO-8601 instant, e.g. 2026-06-30T00:00:00Z` },
  });
