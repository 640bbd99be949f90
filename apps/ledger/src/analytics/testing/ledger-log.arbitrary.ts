import { LedgerEventMessage } from '@tally/contracts';
import { DEFAULT_PROGRAM, businessDay } from '@tally/program';
import fc from 'fast-check';
import { FoldContext } from '../fold/analytics.fold';

// Random ledger logs and the ways a consumer may be handed them, for the read model's property tests.

/** A message of `loyalty.ledger.v1` as the read model reads it (recorded when it occurred; no hash). */
export const ledgerMessage = (position: number, memberId: string, version: number, type: string, data: object, occurredAt: string): LedgerEventMessage =>
  ({
    position: String(position),
    memberId,
    version,
    eventId: `e-${position}`,
    type,
    data,
    occurredAt,
    recordedAt: occurredAt,
    causationId: 'c',
    hash: '',
  }) as LedgerEventMessage;

export const context: FoldContext = {
  dayOf: (iso) => businessDay(DEFAULT_PROGRAM, iso),
  campaigns: [{ id: 'double-12', start: '2026-12-01T00:00:00+08:00', end: '2026-12-02T12:00:00+08:00', multiplier: 2 }],
  baseTier: 'member',
};

/** Instants over a week, a month and a campaign boundary, some late in the UTC day (the next day in Shanghai). */
const INSTANTS = [
  '2026-11-29T10:00:00+08:00',
  '2026-11-30T15:59:59Z',
  '2026-11-30T16:00:00Z',
  '2026-12-01T09:00:00+08:00',
  '2026-12-02T11:59:59+08:00',
  '2026-12-02T12:00:00+08:00',
  '2026-12-07T23:30:00Z',
];
const STORES = ['s-1', 's-2'];
const TIERS = ['member', 'silver', 'gold'];

const points = fc.integer({ min: 1, max: 500 });
const store = fc.constantFrom(...STORES);

/** One event's type and data, any of those the read model folds. */
const change: fc.Arbitrary<{ type: string; data: object }> = fc.oneof(
  fc
    .record({
      points,
      storeId: fc.option(store, { nil: undefined }),
      reason: fc.constantFrom('purchase', 'check-in', 'adjustment'),
      pending: fc.boolean(),
      tier: fc.constantFrom(...TIERS),
    })
    .map(({ pending, ...data }) => ({
      type: 'points.earned',
      data: { ...data, lotId: 'l', expiresAt: '2099-01-01T00:00:00Z', multiplier: 1, ruleIds: [], ...(pending ? { availableAt: '2026-12-20T00:00:00Z' } : {}) },
    })),
  points.map((p) => ({ type: 'points.released', data: { lotId: 'l', points: p } })),
  fc
    .record({ points, storeId: store, rewardId: fc.option(fc.constantFrom('tea', 'cake'), { nil: undefined }) })
    .map((data) => ({ type: 'points.redeemed', data: { ...data, redemptionId: 'r', fromLots: [] } })),
  fc
    .record({ points, storeId: store })
    .map((data) => ({ type: 'points.held', data: { ...data, holdId: 'h', fromLots: [], expiresAt: '2099-01-01T00:00:00Z' } })),
  points.map((p) => ({ type: 'hold.captured', data: { holdId: 'h', points: p, fromLots: [] } })),
  points.map((p) => ({ type: 'hold.released', data: { holdId: 'h', points: p, fromLots: [], reason: 'expired' } })),
  points.map((p) => ({ type: 'redemption.reversed', data: { redemptionId: 'r', points: p, toLots: [] } })),
  points.map((p) => ({ type: 'points.expired', data: { lotId: 'l', points: p } })),
  points.map((p) => ({ type: 'points.clawed-back', data: { points: p, orderId: 'o', refundId: 'r', fromLots: [] } })),
  fc
    .record({ points: fc.integer({ min: -300, max: 300 }), reason: fc.constantFrom('goodwill', 'correction') })
    .map((data) => ({ type: 'points.adjusted', data: { ...data, actor: 'ops' } })),
  fc.constantFrom(...TIERS).map((to) => ({ type: 'tier.changed', data: { from: 'member', to, qualifyingPoints: 1000, reason: 'upgrade' } })),
);

/** A log: events of a few members interleaved, each member's versions 1, 2, 3 ... in log order. */
export const log = fc
  .array(fc.record({ member: fc.integer({ min: 0, max: 3 }), at: fc.nat(INSTANTS.length - 1), change }), { minLength: 1, maxLength: 40 })
  .map((entries) => {
    const versions = new Map<string, number>();
    return entries.map(({ member, at, change: { type, data } }, i): LedgerEventMessage => {
      const memberId = `m-${member}`;
      const version = (versions.get(memberId) ?? 0) + 1;
      versions.set(memberId, version);
      const occurredAt = INSTANTS[at];
      return ledgerMessage(i + 1, memberId, version, type, data, occurredAt);
    });
  });

/**
 * What a consumer is handed: the log in order, read again from an earlier offset now and then (a
 * restart before its offsets were committed), cut into batches of any size.
 */
export const deliveries = (events: LedgerEventMessage[]) =>
  fc
    .record({
      rewinds: fc.array(fc.record({ after: fc.nat(events.length - 1), back: fc.nat(events.length) }), { maxLength: 4 }),
      sizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
    })
    .map(({ rewinds, sizes }) => {
      const delivered: LedgerEventMessage[] = [];
      events.forEach((event, i) => {
        delivered.push(event);
        for (const rewind of rewinds.filter((r) => r.after === i)) delivered.push(...events.slice(Math.max(0, i + 1 - rewind.back), i + 1));
      });
      const batches: LedgerEventMessage[][] = [];
      for (let start = 0, s = 0; start < delivered.length; s++) {
        const size = sizes[s % sizes.length];
        batches.push(delivered.slice(start, start + size));
        start += size;
      }
      return batches;
    });
