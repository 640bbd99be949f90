/** Inputs whose pace abuse rules watch, and the windows they count in. */
export type VelocityInput = 'purchase' | 'check-in' | 'referral';
export type VelocityWindow = 'hour' | 'day';

/**
 * How many of each watched input a member had in the newest hour and day (UTC) seen: per
 * `input:window`, the period and its count. An input for an older period than the one kept does
 * not count (a rule looks at the input's own period, and old bursts are not "now").
 */
export type Velocity = Readonly<Record<string, readonly [period: string, count: number]>>;

export const periodOf = (occurredAt: string, window: VelocityWindow): string => {
  const iso = occurredAt.length === 24 && occurredAt.endsWith('Z') ? occurredAt : new Date(occurredAt).toISOString();
  return window === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10);
};

/** The count of `input` in the `window` that holds `occurredAt`, before it. */
export const countIn = (velocity: Velocity | undefined, input: VelocityInput, window: VelocityWindow, occurredAt: string): number => {
  const entry = velocity?.[`${input}:${window}`];
  return entry !== undefined && entry[0] === periodOf(occurredAt, window) ? entry[1] : 0;
};

const bumped = (entry: readonly [string, number] | undefined, period: string): readonly [string, number] | undefined => {
  if (entry === undefined || period > entry[0]) return [period, 1];
  if (period === entry[0]) return [period, entry[1] + 1];
  return undefined;
};

/** New counts with one more `input` at `occurredAt` (the ones given are left as they were). */
export const countInput = (velocity: Velocity | undefined, input: VelocityInput, occurredAt: string): Velocity => {
  const next: Record<string, readonly [string, number]> = { ...velocity };
  for (const window of ['hour', 'day'] as const) {
    const key = `${input}:${window}`;
    const entry = bumped(next[key], periodOf(occurredAt, window));
    if (entry !== undefined) next[key] = entry;
  }
  return next;
};

/** The watched input an earning stands for, if any. */
export const velocityInputOf = (reason: string): VelocityInput | undefined =>
  reason === 'purchase' || reason === 'check-in' || reason === 'referral' ? reason : undefined;
