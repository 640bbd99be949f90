import { ID_PATTERN, ISO_WITH_OFFSET, isCalendarTime } from '@tally/contracts';
import { z } from 'zod';
import { DEFAULT_PROGRAM, DEFAULT_TRANSFER_LIMITS, MAX_LATE_INPUT_WINDOW_DAYS } from './default-program';
import { Program } from './program.types';
import { isTimeZone } from './zone.calendar';

/**
 * The program file: every field optional, defaults from `DEFAULT_PROGRAM`. Objects merge field by
 * field with the defaults; lists and maps (tiers, currencies, campaigns...) replace them whole.
 * Unknown keys are errors, so that a typo never silently falls back to a default.
 */
const D = DEFAULT_PROGRAM;

/** Multipliers are kept to 4 decimal places so that points can be computed in exact integers. */
export const MULTIPLIER_SCALE = 10_000;

/** A multiplier as a whole number of ten-thousandths (1.25 -> 12500). */
export const scaledMultiplier = (value: number): number => Math.round(value * MULTIPLIER_SCALE);

const number = () => z.number({ error: 'must be a number' });
const wholeNumber = () => number().int({ error: 'must be a whole number' });
const positiveInt = () => wholeNumber().positive({ error: 'must be > 0' });
const nonNegativeInt = () => wholeNumber().nonnegative({ error: 'must be >= 0' });
const text = () => z.string({ error: 'must be a string' });

const multiplier = () =>
  number()
    .positive({ error: 'must be > 0' })
    .max(100, { error: 'must be <= 100' })
    .refine((value) => Math.abs(value * MULTIPLIER_SCALE - scaledMultiplier(value)) < 1e-6, {
      error: 'must have at most 4 decimal places',
    });

const id = () => text().regex(ID_PATTERN, { error: 'must be 1-64 characters of [A-Za-z0-9._:-]' });
const currencyCode = () => text().regex(/^[A-Z]{3}$/, { error: 'must be an ISO-4217 code such as CNY' });

const instant = () =>
  text()
    .regex(ISO_WITH_OFFSET, { error: 'must be ISO-8601 with an offset, e.g. 2026-11-11T00:00:00+08:00', abort: true })
    .refine((value) => !Number.isNaN(Date.parse(value)) && isCalendarTime(value), { error: 'is not a real date' });

/** The first instant the ledger keeps: it stores years 1 to 9999 (UTC), as ISO-8601 and PostgreSQL both write them. */
export const FIRST_STORABLE_INSTANT = '0001-01-01T00:00:00Z';

/** An instant an input's `occurredAt` is compared with: none before the ledger's first may come in. */
const bound = () =>
  instant().refine((value) => !(Date.parse(value) < Date.parse(FIRST_STORABLE_INSTANT)), { error: `must not be before ${FIRST_STORABLE_INSTANT}` });

type Identified = { id: string };

/** Reports each repeated id at the entry that repeats it. */
const uniqueIds = <T extends Identified>(entries: T[], ctx: z.RefinementCtx): void => {
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    if (seen.has(entry.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id ${entry.id}` });
    seen.add(entry.id);
  });
};

const endsAfterStart = (start: string | undefined, end: string | undefined, endField: string, ctx: z.RefinementCtx): void => {
  if (start !== undefined && end !== undefined && Date.parse(end) <= Date.parse(start)) {
    ctx.addIssue({ code: 'custom', path: [endField], message: `must be after ${start}` });
  }
};

const currencyRate = z.strictObject({
  points: positiveInt().default(1),
  perMinorUnits: positiveInt().default(100),
});

const tier = z.strictObject({ name: id(), threshold: nonNegativeInt(), multiplier: multiplier() });

const tiers = z
  .array(tier, { error: 'must be a list' })
  .min(1, { error: 'must name at least one tier' })
  .superRefine((list, ctx) => {
    if (list.length > 0 && list[0].threshold !== 0) ctx.addIssue({ code: 'custom', path: [0, 'threshold'], message: 'the first tier must start at 0' });
    const names = new Set<string>();
    list.forEach((entry, index) => {
      if (names.has(entry.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate tier ${entry.name}` });
      names.add(entry.name);
      const previous = list[index - 1];
      if (previous && entry.threshold <= previous.threshold) {
        ctx.addIssue({ code: 'custom', path: [index, 'threshold'], message: `must be greater than tiers[${index - 1}].threshold (${previous.threshold})` });
      }
    });
  });

const tierWindow = z.discriminatedUnion(
  'kind',
  [z.strictObject({ kind: z.literal('rolling-days'), days: positiveInt().default(365) }), z.strictObject({ kind: z.literal('calendar-year') })],
  { error: 'kind must be rolling-days or calendar-year' },
);

const downgrade = z.strictObject({
  policy: z.enum(['one-step', 'to-earned'], { error: 'must be one-step or to-earned' }).default(D.downgrade.policy),
  minDaysAfterUpgrade: nonNegativeInt().default(D.downgrade.minDaysAfterUpgrade),
});

const purchase = z.strictObject({
  maxPointsPerEvent: positiveInt().default(D.purchase.maxPointsPerEvent),
  dailyEarnCap: positiveInt().optional(),
  pendingDays: positiveInt().optional(),
  campaignCombination: z.enum(['best', 'multiply'], { error: 'must be best or multiply' }).default(D.purchase.campaignCombination),
});

const campaign = z
  .strictObject({
    id: id(),
    name: text().optional(),
    start: instant(),
    end: instant(),
    multiplier: multiplier(),
    storeIds: z.array(id()).min(1, { error: 'must name at least one store (leave it out for every store)' }).optional(),
    categories: z.array(text().min(1)).min(1, { error: 'must name at least one category (leave it out for every line)' }).optional(),
  })
  .superRefine((entry, ctx) => endsAfterStart(entry.start, entry.end, 'end', ctx));

const refund = z.strictObject({
  clawBack: z.enum(['pro-rata', 'none'], { error: 'must be pro-rata or none' }).default(D.refund.clawBack),
});

const checkIn = z.strictObject({
  points: nonNegativeInt().default(D.checkIn.points),
  streakEvery: positiveInt().default(D.checkIn.streakEvery),
  streakBonus: nonNegativeInt().default(D.checkIn.streakBonus),
});

const referral = z.strictObject({
  referrerPoints: nonNegativeInt().default(D.referral.referrerPoints),
  refereePoints: nonNegativeInt().default(D.referral.refereePoints),
});

const activity = z.strictObject({
  id: id(),
  name: text().optional(),
  points: positiveInt(),
  maxPerDay: positiveInt().optional(),
  maxPerYear: positiveInt().optional(),
  maxLifetime: positiveInt().optional(),
});

const expiryPolicy = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('rolling-days'), days: positiveInt().default(365) }),
    z.strictObject({ kind: z.literal('end-of-month'), months: nonNegativeInt().default(0) }),
    z.strictObject({ kind: z.literal('end-of-year-after-months'), months: nonNegativeInt().default(12) }),
  ],
  { error: 'kind must be rolling-days, end-of-month or end-of-year-after-months' },
);

const expiry = z.strictObject({
  policy: expiryPolicy.prefault(D.expiry.policy),
  reminderDaysBefore: nonNegativeInt().default(D.expiry.reminderDaysBefore),
});

const redemption = z.strictObject({
  points: positiveInt().default(D.redemption.points),
  valueMinor: positiveInt().default(D.redemption.valueMinor),
  currency: currencyCode().default(D.redemption.currency),
});

const reward = z
  .strictObject({
    id: id(),
    name: text().min(1, { error: 'must not be empty' }),
    points: positiveInt(),
    minTier: id().optional(),
    stock: nonNegativeInt().optional(),
    validFrom: instant().optional(),
    validTo: instant().optional(),
  })
  .superRefine((entry, ctx) => endsAfterStart(entry.validFrom, entry.validTo, 'validTo', ctx));

const T = { enabled: D.transfers.enabled, ...DEFAULT_TRANSFER_LIMITS };
const transfers = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(T.enabled),
  minSenderTier: id().optional(),
  maxPointsPerTransfer: positiveInt().default(T.maxPointsPerTransfer),
  maxSentPerDay: positiveInt().default(T.maxSentPerDay),
  maxSentPerMonth: positiveInt().default(T.maxSentPerMonth),
  maxReceivedPerDay: positiveInt().default(T.maxReceivedPerDay),
  maxReceivedPerMonth: positiveInt().default(T.maxReceivedPerMonth),
  maxRecipientsPerMonth: positiveInt().default(T.maxRecipientsPerMonth),
});

const stepUp = z.strictObject({
  transferThreshold: positiveInt().optional(),
  redemptionThreshold: positiveInt().optional(),
  codeTtlSeconds: positiveInt().max(86_400, { error: 'must be <= 86400' }).default(D.stepUp.codeTtlSeconds),
  maxAttempts: positiveInt().max(100, { error: 'must be <= 100' }).default(D.stepUp.maxAttempts),
});

const abuseAction = () => z.enum(['flag', 'hold-earnings', 'block-spending'], { error: 'must be flag, hold-earnings or block-spending' }).default('flag');

const abuseRule = z.discriminatedUnion(
  'input',
  [
    z.strictObject({
      id: id(),
      input: z.enum(['purchase', 'check-in', 'referral']),
      window: z.enum(['hour', 'day'], { error: 'must be hour or day' }),
      max: positiveInt(),
      action: abuseAction(),
    }),
    z.strictObject({ id: id(), input: z.literal('refund-after-redemption'), minDebt: positiveInt().default(1), action: abuseAction() }),
    z.strictObject({
      id: id(),
      input: z.literal('store-points'),
      window: z.literal('hour', { error: 'must be hour' }).default('hour'),
      max: positiveInt(),
      action: z.literal('flag', { error: 'must be flag: a store has no points to hold or block' }).default('flag'),
    }),
  ],
  { error: 'input must be purchase, check-in, referral, refund-after-redemption or store-points' },
);

const abuse = z.strictObject({
  rules: z
    .array(abuseRule, { error: 'must be a list' })
    .superRefine(uniqueIds)
    .default(() => []),
});

/** Checks across sections; zod runs it once every section has the right shape (values may still be out of range). */
const crossChecks = (program: Program, ctx: z.RefinementCtx): void => {
  const { startsAt, earliestOccurredAt } = program;
  if (earliestOccurredAt !== undefined && Date.parse(earliestOccurredAt) > Date.parse(startsAt)) {
    ctx.addIssue({
      code: 'custom',
      path: ['earliestOccurredAt'],
      message: `must not be after startsAt (${startsAt}): the program would refuse its own inputs`,
    });
  }
  const tierNames = new Set(program.tiers.map((t) => t.name));
  const { minSenderTier } = program.transfers;
  if (minSenderTier !== undefined && !tierNames.has(minSenderTier)) {
    ctx.addIssue({ code: 'custom', path: ['transfers', 'minSenderTier'], message: `no tier ${minSenderTier} (tiers: ${[...tierNames].join(', ')})` });
  }
  program.rewards.forEach((entry, index) => {
    if (entry.minTier !== undefined && !tierNames.has(entry.minTier)) {
      ctx.addIssue({ code: 'custom', path: ['rewards', index, 'minTier'], message: `no tier ${entry.minTier} (tiers: ${[...tierNames].join(', ')})` });
    }
  });
};

export const programSchema: z.ZodType<Program, unknown> = z
  .strictObject({
    startsAt: bound().default(D.startsAt),
    earliestOccurredAt: bound().optional(),
    lateInputWindowDays: positiveInt()
      .max(MAX_LATE_INPUT_WINDOW_DAYS, {
        error: `must be <= ${MAX_LATE_INPUT_WINDOW_DAYS}: the member ledger keeps ${MAX_LATE_INPUT_WINDOW_DAYS} days of counters`,
      })
      .default(D.lateInputWindowDays),
    timeZone: text().refine(isTimeZone, { error: 'must be an IANA time zone such as Asia/Shanghai' }).default(D.timeZone),
    currencies: z.record(currencyCode(), currencyRate).prefault(D.currencies),
    tiers: tiers.prefault([...D.tiers]),
    tierWindow: tierWindow.prefault(D.tierWindow),
    downgrade: downgrade.prefault({}),
    purchase: purchase.prefault({}),
    campaigns: z
      .array(campaign, { error: 'must be a list' })
      .superRefine(uniqueIds)
      .default(() => []),
    refund: refund.prefault({}),
    checkIn: checkIn.prefault({}),
    referral: referral.prefault({}),
    activities: z
      .array(activity, { error: 'must be a list' })
      .superRefine(uniqueIds)
      .default(() => []),
    expiry: expiry.prefault({}),
    redemption: redemption.prefault({}),
    rewards: z
      .array(reward, { error: 'must be a list' })
      .superRefine(uniqueIds)
      .default(() => []),
    transfers: transfers.prefault({}),
    stepUp: stepUp.prefault({}),
    abuse: abuse.prefault({}),
  })
  .superRefine(crossChecks);
