import { NewLedgerEvent } from '@tally/contracts';
import { periodOfIso, utcIso } from '@tally/member-ledger';
import { AbuseRule, StorePointsRule } from '@tally/program';

/** Points one decision granted through one store, in the UTC hour they count in. */
export interface StoreGrant {
  storeId: string;
  /** The hour, e.g. `2026-12-07T10`. */
  period: string;
  points: number;
  /** The input that granted them. */
  eventId: string;
}

/** What the store-points rule saw: the store's points in the hour once this input's were added, against the rule's maximum. */
export interface StorePointsEvidence {
  input: 'store-points';
  window: 'hour';
  period: string;
  points: number;
  max: number;
  /** The input that took the store over the maximum. */
  eventId: string;
}

/** A store flagged for review: kept beside the ledger, whose streams are members' points. */
export interface StoreFlag {
  flagId: string;
  storeId: string;
  ruleId: string;
  action: 'flag';
  evidence: StorePointsEvidence;
}

export const storePointsRules = (rules: readonly AbuseRule[]): StorePointsRule[] =>
  rules.filter((rule): rule is StorePointsRule => rule.input === 'store-points');

/** The store-hour a grant counts in, as one key. */
export const storeHourKey = (storeId: string, period: string): string => `${storeId}\u0000${period}`;

/** The points the earnings of one input's events grant through stores (earnings without a store grant none). */
export const storeGrantsOf = (eventId: string, events: readonly NewLedgerEvent[]): StoreGrant[] => {
  const grants: StoreGrant[] = [];
  for (const event of events) {
    if (event.type !== 'points.earned' || event.data.storeId === undefined || event.data.points <= 0) continue;
    grants.push({ storeId: event.data.storeId, period: periodOfIso(utcIso(event.occurredAt), 'hour'), points: event.data.points, eventId });
  }
  return grants;
};

/** The grants summed per store-hour: what is added to the stores' counts in one statement. */
export const storeHourDeltas = (grants: readonly StoreGrant[]): { storeId: string; period: string; points: number }[] => {
  const sums = new Map<string, { storeId: string; period: string; points: number }>();
  for (const grant of grants) {
    const key = storeHourKey(grant.storeId, grant.period);
    const sum = sums.get(key);
    if (sum) sum.points += grant.points;
    else sums.set(key, { storeId: grant.storeId, period: grant.period, points: grant.points });
  }
  return [...sums.values()];
};

/**
 * Stores that went over a store-points rule's maximum with these grants. `totals` are the
 * store-hours' counts with the grants added (read under the row's lock, so exactly one batch sees
 * a store cross a maximum, however many earn instances count at once): walking the grants in order
 * from the count before them finds the input that crossed it.
 */
export const decideStoreFlags = (
  grants: readonly StoreGrant[],
  totals: ReadonlyMap<string, number>,
  rules: readonly StorePointsRule[],
  newFlagId: () => string,
): StoreFlag[] => {
  if (rules.length === 0 || grants.length === 0) return [];
  const running = new Map<string, number>();
  for (const { storeId, period, points } of storeHourDeltas(grants)) {
    const key = storeHourKey(storeId, period);
    running.set(key, (totals.get(key) ?? points) - points);
  }
  const flags: StoreFlag[] = [];
  for (const grant of grants) {
    const key = storeHourKey(grant.storeId, grant.period);
    const before = running.get(key) ?? 0;
    const after = before + grant.points;
    running.set(key, after);
    for (const rule of rules) {
      if (before > rule.max || after <= rule.max) continue;
      const evidence: StorePointsEvidence = {
        input: 'store-points',
        window: 'hour',
        period: grant.period,
        points: after,
        max: rule.max,
        eventId: grant.eventId,
      };
      flags.push({ flagId: newFlagId(), storeId: grant.storeId, ruleId: rule.id, action: 'flag', evidence });
    }
  }
  return flags;
};

/** A store-hour an input counted in, as a redelivery of it names it: its store and the hour it occurred in. */
export interface CountedInput {
  storeId: string;
  period: string;
  eventId: string;
}

/** The store-hour an input with a store counts its earnings in (the hour its earnings occur in is its own). */
export const storeHourOfInput = (input: { eventId: string; occurredAt: string; storeId?: string }): CountedInput | undefined =>
  input.storeId === undefined ? undefined : { storeId: input.storeId, period: periodOfIso(utcIso(input.occurredAt), 'hour'), eventId: input.eventId };

/**
 * Flags for store-hours already past a rule's maximum, found again when their inputs come back as
 * duplicates: the append that counted them committed, and the flag it decided may not have (the
 * process stopped before recording it). A flag is unique per store, rule and hour, so one recorded
 * already stands and this adds nothing; otherwise the evidence names the store-hour's count as it
 * is now and the first redelivered input of the hour.
 */
export const redecideStoreFlags = (
  inputs: readonly CountedInput[],
  totals: ReadonlyMap<string, number>,
  rules: readonly StorePointsRule[],
  newFlagId: () => string,
): StoreFlag[] => {
  const flags: StoreFlag[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const key = storeHourKey(input.storeId, input.period);
    if (seen.has(key)) continue;
    seen.add(key);
    const points = totals.get(key);
    if (points === undefined) continue;
    for (const rule of rules) {
      if (points <= rule.max) continue;
      const evidence: StorePointsEvidence = { input: 'store-points', window: 'hour', period: input.period, points, max: rule.max, eventId: input.eventId };
      flags.push({ flagId: newFlagId(), storeId: input.storeId, ruleId: rule.id, action: 'flag', evidence });
    }
  }
  return flags;
};
