const MS_PER_SECOND = 1000;

export const plusSeconds = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * MS_PER_SECOND).toISOString();

/** Compares instants, not strings: ISO texts with different offsets do not sort as text. */
export const isAtOrBefore = (a: string, b: string): boolean => Date.parse(a) <= Date.parse(b);

export const isBefore = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);
