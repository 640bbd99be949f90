/**
 * Named places between two effects where a crash tests what the design promises (the soak's
 * faults): `TALLY_CRASH_AT=<point>@<n>` makes the process kill itself (SIGKILL, no cleanup) the
 * n-th time it passes that point. Unset, as in production, a point costs one comparison.
 */
export const CRASH_POINTS = [
  /** The outbox relay has sent a batch to Kafka and not yet removed it from the outbox. */
  'relay.after-publish',
  /** Redeem has claimed a reward's stock and not yet appended the redemption. */
  'redeem.after-stock-claim',
  /** The expiry sweep has appended expiries and not yet sent its reminders. */
  'expiry.after-append',
  /** The tier service has appended a batch's upgrades and not yet published its tier-change notices. */
  'tier.after-append',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The armed point and after how many passes it fires, from the variable's text (undefined: none or unreadable). */
export const armedCrashPoint = (text: string | undefined): { point: CrashPoint; at: number } | undefined => {
  const match = /^([a-z.-]+)@([1-9][0-9]*)$/.exec(text?.trim() ?? '');
  if (!match || !(CRASH_POINTS as readonly string[]).includes(match[1])) return undefined;
  return { point: match[1] as CrashPoint, at: Number(match[2]) };
};

let armed: ReturnType<typeof armedCrashPoint> | null = null;
let passes = 0;

/** Passes a crash point: the process ends here if this is the armed point's n-th pass. */
export const crashPoint = (point: CrashPoint): void => {
  if (armed === null) armed = armedCrashPoint(process.env.TALLY_CRASH_AT);
  if (armed?.point !== point) return;
  passes += 1;
  if (passes >= armed.at) process.kill(process.pid, 'SIGKILL');
};
