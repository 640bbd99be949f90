/** Inputs whose pace abuse rules watch, and the windows they count in. */
export type VelocityInput = 'purchase' | 'check-in' | 'referral';
export type VelocityWindow = 'hour' | 'day';

/**
 * How many of each watched input a member had in the newest hour and day (UTC) seen: per
 * `input:window`, the period and its count. An input for an older period than the one kept does
 * not count (a rule looks at the input's own period, and old bursts are not "now").
 */
export type Velocity = Readonly<Record<string, readonly [period: string, count: number]>>;

/** The same counts, owned by one fold: its entries are changed in place. */
export type OwnedVelocity = Record<string, [period: string, count: number]>;

/** `occurredAt` in UTC as `toISOString` writes it: inputs carry an offset, stored events mostly UTC already. */
export const utcIso = (occurredAt: string): string => (occurredAt.length === 24 && occurredAt.endsWith('Z') ? occurredAt : new Date(occurredAt).toISOString());

/** The window's period of a UTC ISO time: its hour (`2026-12-07T10`) or day (`2026-12-07`). */
export const periodOfIso = (iso: string, window: VelocityWindow): string => (window === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10));

export const periodOf = (occurredAt: string, window: VelocityWindow): string => periodOfIso(utcIso(occurredAt), window);

/** The count of `input` in the `window` whose period is `period`, before it. */
export const countInPeriod = (velocity: Velocity | undefined, input: VelocityInput, window: VelocityWindow, period: string): number => {
  const entry = velocity?.[`${input}:${window}`];
  return entry !== undefined && entry[0] === period ? entry[1] : 0;
};

/** The count of `input` in the `window` that holds `occurredAt`, before it. */
export const countIn = (velocity: Velocity | undefined, input: VelocityInput, window: VelocityWindow, occurredAt: string): number =>
  countInPeriod(velocity, input, window, periodOf(occurredAt, window));

/** A copy a fold may change in place: its entries are new arrays, so the state it came from stays as it was. */
export const ownVelocity = (velocity: Velocity | undefined): OwnedVelocity => {
  const owned: OwnedVelocity = {};
  if (velocity !== undefined) for (const key in velocity) owned[key] = [velocity[key][0], velocity[key][1]];
  return owned;
};

const KEYS: Readonly<Record<VelocityInput, readonly [hour: string, day: string]>> = {
  purchase: ['purchase:hour', 'purchase:day'],
  'check-in': ['check-in:hour', 'check-in:day'],
  referral: ['referral:hour', 'referral:day'],
};

const bump = (velocity: OwnedVelocity, key: string, period: string): void => {
  const entry = velocity[key];
  if (entry === undefined) velocity[key] = [period, 1];
  else if (period === entry[0]) entry[1] += 1;
  else if (period > entry[0]) {
    entry[0] = period;
    entry[1] = 1;
  }
};

/**
 * Counts one more `input` at `occurredAt` into counts the caller owns: the time is turned to UTC
 * once for both windows, and an entry already there is changed rather than replaced.
 */
export const countInputInto = (velocity: OwnedVelocity, input: VelocityInput, occurredAt: string): void => {
  const iso = utcIso(occurredAt);
  const [hourKey, dayKey] = KEYS[input];
  bump(velocity, hourKey, iso.slice(0, 13));
  bump(velocity, dayKey, iso.slice(0, 10));
};

/** New counts with one more `input` at `occurredAt` (the ones given are left as they were). */
export const countInput = (velocity: Velocity | undefined, input: VelocityInput, occurredAt: string): Velocity => {
  const next = ownVelocity(velocity);
  countInputInto(next, input, occurredAt);
  return next;
};

/** The watched input an earning stands for, if any. */
export const velocityInputOf = (reason: string): VelocityInput | undefined =>
  reason === 'purchase' || reason === 'check-in' || reason === 'referral' ? reason : undefined;
