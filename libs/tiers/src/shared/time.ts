export const MS_PER_DAY = 86_400_000;

/** The UTC day of an instant, as the member ledger keys qualifying points. */
export const utcDay = (iso: string): string => new Date(Date.parse(iso)).toISOString().slice(0, 10);

export const dayMinus = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) - days * MS_PER_DAY).toISOString().slice(0, 10);

export const plusDays = (iso: string, days: number): string => new Date(Date.parse(iso) + days * MS_PER_DAY).toISOString();
