import { S, objectSchema } from '@tally/platform';

const EVENT_EXAMPLE = {
  position: '1042', memberId: 'm-1001', version: 3, eventId: '3f8a1c2e-5b7d-4e9f-8a6b-1c2d3e4f5a6b', type: 'points.earned',
  data: { points: 129, lotId: 'lot-pos-7-000123' }, occurredAt: '2026-11-23T02:15:00.000Z', recordedAt: '2026-11-23T02:15:00.120Z',
  causationId: 'pos-7-000123', hash: '9b1f...',
};

export const BALANCE = objectSchema(
  { memberId: S.string, available: S.integer, pending: S.integer, held: S.integer, lifetimeEarned: S.integer, lifetimeRedeemed: S.integer, expired: S.integer, tier: S.string, version: S.integer, asOf: S.instant },
  { memberId: 'm-1001', available: 139, pending: 0, held: 0, lifetimeEarned: 139, lifetimeRedeemed: 0, expired: 0, tier: 'member', version: 2, asOf: '2026-11-23T10:20:00.000Z' },
);
export const EVENTS = objectSchema({ events: S.list(), next: S.nullableString }, { events: [EVENT_EXAMPLE], next: '1042' });
export const LOTS = { type: 'array' as const, items: objectSchema({ lotId: S.string, remaining: S.integer, expiresAt: S.instant }, { lotId: 'lot-pos-7-000123', remaining: 129, expiresAt: '2027-11-23T02:15:00.000Z' }), example: [{ lotId: 'lot-pos-7-000123', remaining: 129, expiresAt: '2027-11-23T02:15:00.000Z' }] };
export const AUDIT = objectSchema({ ok: S.boolean, eventsChecked: S.integer, members: S.integer, violationCount: S.integer, violations: S.list() }, { ok: true, eventsChecked: 1042, members: 5, violationCount: 0, violations: [] });
export const REJECTIONS = objectSchema(
  { rejections: S.list(), next: S.nullableString },
  { rejections: [{ scope: 'earn', causationId: 'pos-9-1', memberId: 'm-2002', code: 'before_program_start', message: 'occurredAt is before the programme started', occurredAt: '2020-01-01T00:00:00.000Z' }], next: null },
);
export const DEAD_LETTERS = objectSchema(
  { deadLetters: S.list(), next: S.nullableString },
  { deadLetters: [{ topic: 'loyalty.purchases.v1', partition: 0, offset: '17', reason: 'invalid_json', valueBase64: 'eyJub3QganNvbg==' }], next: null },
);
export const PARKED = objectSchema({ parked: S.list(), total: S.integer }, { parked: [{ memberId: 'm-1003', causationId: 'refund-77', waitingFor: 'o-901', parkedAt: '2026-11-23T02:15:00.000Z' }], total: 1 });
export const REPLAY = objectSchema({ identical: S.boolean, members: S.integer, differences: S.list(), swapped: S.boolean }, { identical: true, members: 5, differences: [], swapped: false });

export const MEMBER_NOT_FOUND = '`member_not_found`: the member has no ledger events';
