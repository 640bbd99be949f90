// Instants and days as the rules read them, in one place. Instants are ISO-8601 texts; they are
// compared as instants, never as strings (texts with different offsets do not sort as text).

export const MS_PER_DAY = 86_400_000;

const MS_PER_SECOND = 1000;

/** An ISO instant in epoch milliseconds. */
export const instant = (iso: string): number => Date.parse(iso);

export const isBefore = (a: string, b: string): boolean => instant(a) < instant(b);

export const isAtOrBefore = (a: string, b: string): boolean => instant(a) <= instant(b);

export const plusSeconds = (iso: string, seconds: number): string => new Date(instant(iso) + seconds * MS_PER_SECOND).toISOString();

export const plusDays = (iso: string, days: number): string => new Date(instant(iso) + days * MS_PER_DAY).toISOString();

/** The UTC day (`YYYY-MM-DD`) of an instant; one already in `toISOString()` form needs no parsing. */
export const utcDay = (iso: string): string => (iso.length === 24 && iso.endsWith('Z') ? iso.slice(0, 10) : new Date(iso).toISOString().slice(0, 10));

/** Plain date arithmetic on `YYYY-MM-DD` (no zone involved: a date is a date). */
export const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
