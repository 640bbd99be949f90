const MS_PER_DAY = 86_400_000;

/** Instants, not strings: ISO texts with different offsets do not sort as text. */
export const instant = (iso: string): number => Date.parse(iso);

export const plusDays = (iso: string, days: number): number => instant(iso) + days * MS_PER_DAY;
