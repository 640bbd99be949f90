import { S, objectSchema } from '@tally/platform';

const EVENT_EXAMPLE = {
  position: '1042',
  memberId: 'm-1001',
  version: 3,
  eventId: '3f8a1c2e-5b7d-4e9f-8a6b-1c2d3e4f5a6b',
  type: 'points.earned',
  data: { points: 129, lotId: 'lot-pos-7-000123' },
  occurredAt: '2026-11-23T02:15:00.000Z',
  recordedAt: '2026-11-23T02:15:00.120Z',
  causationId: 'pos-7-000123',
  hash: '9b1f...',
};

export const BALANCE = objectSchema(
  {
    memberId: S.string,
    available: S.integer,
    pending: S.integer,
    held: S.integer,
    lifetimeEarned: S.integer,
    lifetimeRedeemed: S.integer,
    expired: S.integer,
    tier: S.string,
    version: S.integer,
    asOf: S.instant,
  },
  {
    memberId: 'm-1001',
    available: 139,
    pending: 0,
    held: 0,
    lifetimeEarned: 139,
    lifetimeRedeemed: 0,
    expired: 0,
    tier: 'member',
    version: 2,
    asOf: '2026-11-23T10:20:00.000Z',
  },
);
export const EVENTS = objectSchema({ events: S.list(), next: S.nullableString }, { events: [EVENT_EXAMPLE], next: '1042' });
export const LOTS = {
  type: 'array' as const,
  items: objectSchema(
    { lotId: S.string, remaining: S.integer, expiresAt: S.instant },
    { lotId: 'lot-pos-7-000123', remaining: 129, expiresAt: '2027-11-23T02:15:00.000Z' },
  ),
  example: [{ lotId: 'lot-pos-7-000123', remaining: 129, expiresAt: '2027-11-23T02:15:00.000Z' }],
};
export const AUDIT = objectSchema(
  { ok: S.boolean, eventsChecked: S.integer, members: S.integer, violationCount: S.integer, violations: S.list() },
  { ok: true, eventsChecked: 1042, members: 5, violationCount: 0, violations: [] },
);
export const REJECTIONS = objectSchema(
  { rejections: S.list(), next: S.nullableString },
  {
    rejections: [
      {
        scope: 'earn',
        causationId: 'pos-9-1',
        memberId: 'm-2002',
        code: 'before_program_start',
        message: 'occurredAt is before the programme started',
        occurredAt: '2020-01-01T00:00:00.000Z',
      },
    ],
    next: null,
  },
);
export const DEAD_LETTERS = objectSchema(
  { deadLetters: S.list(), next: S.nullableString },
  { deadLetters: [{ topic: 'loyalty.purchases.v1', partition: 0, offset: '17', reason: 'invalid_json', valueBase64: 'eyJub3QganNvbg==' }], next: null },
);
export const PARKED = objectSchema(
  { parked: S.list(), total: S.integer },
  { parked: [{ memberId: 'm-1003', causationId: 'refund-77', waitingFor: 'o-901', parkedAt: '2026-11-23T02:15:00.000Z' }], total: 1 },
);
export const REPLAY = objectSchema(
  { identical: S.boolean, members: S.integer, differences: S.list(), swapped: S.boolean },
  { identical: true, members: 5, differences: [], swapped: false },
);

export const MEMBER_NOT_FOUND = '`member_not_found`: the member has no ledger events';

const ANY = { type: 'object' as const, additionalProperties: true };
const RANGE = { from: '2026-11-01', to: '2026-11-30' };

export const FLAGS = objectSchema(
  {
    flags: S.list(),
    next: {
      type: 'object',
      description: 'Per list asked for: the cursor of its next page (`memberAfter`, `storeAfter`), null once it is exhausted',
      properties: { member: S.nullableString, store: S.nullableString },
    },
  },
  {
    flags: [
      {
        memberId: 'm-1001',
        flagId: 'fl-7',
        ruleId: 'purchases-per-hour',
        action: 'block-spending',
        evidence: { input: 'purchase', window: 'hour', count: 21, max: 20 },
        flaggedAt: '2026-11-23T02:15:00.000Z',
      },
      {
        storeId: 'sh-07',
        flagId: 'fl-9',
        ruleId: 'store-points-per-hour',
        action: 'flag',
        evidence: { input: 'store-points', window: 'hour', period: '2026-11-23T02', points: 50210, max: 50000, eventId: 'pos-7-000123' },
        flaggedAt: '2026-11-23T02:40:00.000Z',
      },
    ],
    next: { member: null, store: null },
  },
);
export const STORE_FLAG_CLEARED = objectSchema(
  { storeId: S.string, flagId: S.string, actor: S.string },
  { storeId: 'sh-07', flagId: 'fl-9', actor: 'ops#1a2b3c4d', note: 'a company order, checked' },
);
export const FLAG_CLEARED = objectSchema(
  { memberId: S.string, flagId: S.string, actor: S.string },
  { memberId: 'm-1001', flagId: 'fl-7', actor: 'ops#1a2b3c4d', note: 'checked with the store' },
);
const LIABILITY_EXAMPLE = { available: 12153, pending: 0, held: 0, points: 12153, members: 6, cashValueMinor: 12153, currency: 'CNY' };
const LAG_EXAMPLE = {
  logPosition: '1042',
  appliedPosition: '1042',
  positionsBehind: 0,
  lagSeconds: 0,
  eventsApplied: 1042,
  lastRecordedAt: '2026-11-23T02:15:00.120Z',
  appliedAt: '2026-11-23T02:15:00.300Z',
};
export const ANALYTICS_OVERVIEW = objectSchema(
  { from: S.string, to: S.string, storeId: S.nullableString, timeZone: S.string, totals: ANY, breakageRate: { type: 'number' }, lag: ANY },
  {
    ...RANGE,
    storeId: null,
    timeZone: 'Asia/Shanghai',
    totals: { earned: 12302, redeemed: 100, expired: 0 },
    breakageRate: 0,
    liability: LIABILITY_EXAMPLE,
    activeMembers: 6,
    tiers: [{ tier: 'silver', members: 5 }],
    lag: LAG_EXAMPLE,
  },
);
export const ANALYTICS_DAILY = objectSchema(
  { from: S.string, to: S.string, storeId: S.nullableString, days: S.list() },
  { ...RANGE, storeId: null, groupBy: 'store', days: [{ day: '2026-11-23', storeId: 'sh-07', earned: 2100, redeemed: 100, expired: 0 }] },
);
export const ANALYTICS_STORES = objectSchema(
  { from: S.string, to: S.string, stores: S.list() },
  { ...RANGE, stores: [{ storeId: 'sh-07', earned: 6100, redeemed: 100, breakageRate: 0 }] },
);
export const ANALYTICS_REWARDS = objectSchema(
  { from: S.string, to: S.string, storeId: S.nullableString, rewards: S.list() },
  { ...RANGE, storeId: null, rewards: [{ rewardId: 'tea-voucher', redemptions: 3, points: 600 }] },
);
export const ANALYTICS_TIERS = objectSchema(
  { from: S.string, to: S.string, distribution: S.list(), moves: S.list() },
  { ...RANGE, distribution: [{ tier: 'silver', members: 5 }], moves: [{ day: '2026-11-23', from: 'member', to: 'silver', moves: 2 }] },
);
export const ANALYTICS_LIABILITY = objectSchema(
  { available: S.integer, pending: S.integer, held: S.integer, points: S.integer, cashValueMinor: S.integer, currency: S.string },
  LIABILITY_EXAMPLE,
);
export const ANALYTICS_LAG = objectSchema(
  { logPosition: S.string, appliedPosition: S.string, positionsBehind: S.integer, lagSeconds: { type: 'number' }, eventsApplied: S.integer },
  LAG_EXAMPLE,
);
export const ANALYTICS_REBUILD = objectSchema({ eventsApplied: S.integer, ms: S.integer }, { eventsApplied: 1042, ms: 830 });
export const LEADERBOARD = objectSchema(
  { period: S.string, key: S.string, storeId: S.nullableString, entries: S.list() },
  { period: 'month', key: '2026-11', storeId: null, entries: [{ rank: 1, memberId: 'm-1005', points: 3882 }] },
);
export const LEADERBOARD_RANK = objectSchema(
  { period: S.string, key: S.string, storeId: S.nullableString },
  { period: 'month', key: '2026-11', storeId: null, rank: 3, points: 2401 },
);
const JOB_EXAMPLE = {
  id: 'j-42',
  kind: 'audit',
  state: 'done',
  scope: {},
  progress: { done: 1042, total: 1042, rate: 52100, etaSeconds: 0 },
  attempts: 1,
  createdAt: '2026-11-23T02:15:00.000Z',
  startedAt: '2026-11-23T02:15:00.100Z',
  finishedAt: '2026-11-23T02:15:02.000Z',
  result: { ok: true },
};
export const JOB = objectSchema(
  { id: S.string, kind: S.string, state: S.string, scope: ANY, progress: ANY, attempts: S.integer, createdAt: S.instant },
  JOB_EXAMPLE,
);
export const JOBS = objectSchema({ jobs: S.list() }, { jobs: [JOB_EXAMPLE] });
export const IMPORT_CREATED = objectSchema(
  { id: S.string, kind: S.string, state: S.string, joined: S.boolean, rows: S.integer },
  { id: '6c1f0a52-3d4b-4c1e-9a7f-2b8e5d9c0a11', kind: 'import', state: 'queued', joined: false, rows: 1000000 },
);
export const IMPORT_RESULTS = objectSchema(
  { results: S.list(), next: { type: 'integer', nullable: true } },
  {
    results: [
      { line: 2, key: 'm-1001', memberId: 'm-1001', status: 'applied' },
      { line: 3, key: 'm-1002', memberId: 'm-1002', status: 'duplicate' },
      {
        line: 4,
        key: 'm-1003',
        memberId: 'm-1003',
        status: 'refused',
        code: 'LOT_ALREADY_EXPIRED',
        message: 'a lot of 40 points expired at 2026-01-01T00:00:00.000Z',
      },
    ],
    next: null,
  },
);
export const LAG = objectSchema(
  { consumers: S.list(), totalLag: S.integer, outbox: ANY },
  {
    consumers: [{ group: 'tally-earn', topic: 'loyalty.purchases.v1', partition: 0, committed: '1042', end: '1050', lag: 8 }],
    totalLag: 8,
    outbox: { pendingTransactions: 3, oldestAgeSeconds: 0.4 },
  },
);
export const JOB_CREATED = objectSchema(
  { id: S.string, kind: S.string, state: S.string, joined: S.boolean },
  { id: 'j-42', kind: 'audit', state: 'queued', joined: false },
);
