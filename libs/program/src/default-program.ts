import { Program } from './program.types';

/** The most days the member ledger keeps per-day counters for (member-ledger's DAILY_DAYS_KEPT). */
export const MAX_LATE_INPUT_WINDOW_DAYS = 400;

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

/** The built-in program's limits on transfers between members, in points (recipients: distinct members a month). */
export const DEFAULT_TRANSFER_LIMITS = {
  maxPointsPerTransfer: 10_000,
  maxSentPerDay: 20_000,
  maxSentPerMonth: 50_000,
  maxReceivedPerDay: 20_000,
  maxReceivedPerMonth: 50_000,
  maxRecipientsPerMonth: 10,
} as const;

/** The built-in program of DESIGN.md ("Default program rules"); a program file overrides any of it. */
export const DEFAULT_PROGRAM: Program = deepFreeze<Program>({
  // Before any purchase a deployment of the built-in program will be fed, late or migrated ones
  // included, and long after the placeholders of producers' unset dates (1970-01-01, 0001-01-01),
  // which it refuses. Midnight in the program's zone, so that it starts on a business day's edge.
  startsAt: '2020-01-01T00:00:00+08:00',
  timeZone: 'Asia/Shanghai',
  lateInputWindowDays: 35,
  currencies: { CNY: { points: 1, perMinorUnits: 100 } },
  tiers: [
    { name: 'member', threshold: 0, multiplier: 1 },
    { name: 'silver', threshold: 1_000, multiplier: 1.25 },
    { name: 'gold', threshold: 5_000, multiplier: 1.5 },
    { name: 'diamond', threshold: 20_000, multiplier: 2 },
  ],
  tierWindow: { kind: 'rolling-days', days: 365 },
  downgrade: { policy: 'to-earned', minDaysAfterUpgrade: 365 },
  purchase: { maxPointsPerEvent: 10_000, campaignCombination: 'best' },
  campaigns: [],
  refund: { clawBack: 'pro-rata' },
  checkIn: { points: 10, streakEvery: 7, streakBonus: 50 },
  referral: { referrerPoints: 200, refereePoints: 100 },
  activities: [],
  expiry: { policy: { kind: 'rolling-days', days: 365 }, reminderDaysBefore: 30 },
  redemption: { points: 100, valueMinor: 100, currency: 'CNY' },
  rewards: [],
  transfers: { enabled: true, ...DEFAULT_TRANSFER_LIMITS },
  stepUp: { codeTtlSeconds: 300, maxAttempts: 5 },
  abuse: { rules: [] },
});
