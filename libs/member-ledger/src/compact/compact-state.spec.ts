import { NewLedgerEvent } from '@tally/contracts';
import fc from 'fast-check';
import { DayCounts, HoldState, Lot, MemberState, NO_CHECK_IN, NO_ENTRIES, OrderState, initialMemberState, keyed } from '../member-state';
import { MemberFold, stateFrom } from '../member.evolve';
import { readMemberState, writeMemberState } from './compact-state';
import { CompactReader, CompactWriter, isoInstant } from './compact-text';

const writer = new CompactWriter();
const encode = (state: MemberState, memberId = state.memberId): string => {
  writeMemberState(writer.begin(), state, memberId);
  return writer.text();
};
const decode = (text: string, memberId: string): MemberState => {
  const r = new CompactReader(text);
  const state = readMemberState(r, memberId);
  expect(r.done).toBe(true);
  return state;
};

/** Any string: Latin-1, any UTF-16 code unit (lone surrogates too), or ids as the services mint them. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('m-1001', 'purchase:hour', 'Kq3Z0v8GgJd6m1tO2xYbQA', '2026-11-20T02'),
);
/** Any number: whole, fractional, huge, negative zero, NaN, infinities. */
const num = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1000, max: 100_000 }),
  fc.double(),
  fc.constantFrom(-0, 2 ** 50, 2 ** 50 + 1, -(2 ** 53), Number.MAX_VALUE),
);
const MS_9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Instants as toISOString writes them (1970 to 9999 and beyond), with an offset, or any text. */
const instant = fc.oneof(
  fc.integer({ min: 0, max: MS_9999 }).map((ms) => new Date(ms).toISOString()),
  fc.integer({ min: -62_000_000_000_000, max: 8_640_000_000_000_000 }).map((ms) => new Date(ms).toISOString()),
  fc.constantFrom('2026-11-20T10:15:00+08:00', '2026-02-30T00:00:00.000Z', '2026-11-20T24:00:00.000Z', '2026-11-20T10:15:00Z'),
  text,
);
const day = fc.oneof(
  instant.map((s) => s.slice(0, 10)),
  fc.constantFrom('2026-02-29', '2024-02-29', '1969-12-31', '2026-13-01', '2026-1-01'),
  text,
);
const record = (values: fc.Arbitrary<number>) => fc.array(fc.tuple(text, values), { maxLength: 4 });
const keyedFrom = <T>(entries: [string, T][]): Record<string, T> => {
  if (entries.length === 0) return NO_ENTRIES;
  const r = keyed<T>();
  for (const [k, v] of entries) r[k] = v;
  return r;
};
const portion = fc.record({ lotId: text, points: num, expiresAt: instant });

const lot = fc
  .record({
    lotId: text,
    otherKey: fc.option(text),
    points: num,
    remaining: num,
    held: num,
    expiresAt: instant,
    pending: fc.boolean(),
    order: num,
    availableAt: fc.option(instant),
  })
  .map(({ otherKey, availableAt, ...l }): [string, Lot] => [otherKey ?? l.lotId, availableAt === null ? l : { ...l, availableAt }]);
const hold = fc
  .record({ points: num, storeId: text, fromLots: fc.array(portion, { maxLength: 3 }), expiresAt: instant })
  .map((h): HoldState => ({ ...h, status: 'open' }));
const order = fc.record({ points: num, amountMinor: num, clawedBack: num, refundedMinor: num, refundIds: fc.array(text, { maxLength: 3 }) });
const dayCounts = fc
  .record({ earned: num, activities: record(num), checkedIn: fc.boolean() })
  .map(({ earned, activities, checkedIn }): DayCounts =>
    checkedIn ? { earned, activities: keyedFrom(activities), checkedIn: true } : { earned, activities: keyedFrom(activities) },
  );
/** Transfers and flags are kept as JSON: what the fold puts there is whole numbers and strings. */
const int = fc.integer();
const transfers = fc.record({
  days: fc.dictionary(day, fc.record({ sent: int, received: int }), { maxKeys: 2 }),
  months: fc.dictionary(fc.string(), fc.record({ sent: int, received: int, recipients: fc.array(fc.string(), { maxLength: 3 }) }), { maxKeys: 2 }),
});
const velocity = fc.array(fc.tuple(fc.oneof(fc.constantFrom('purchase:hour', 'purchase:day', 'check-in:day', 'referral:hour'), text), text, num), {
  maxLength: 4,
});
const flags = fc.dictionary(fc.string(), fc.record({ ruleId: fc.string(), action: fc.constantFrom('flag' as const, 'block-spending' as const) }), {
  maxKeys: 2,
});

const memberState: fc.Arbitrary<MemberState> = fc
  .record({
    memberId: text,
    version: num,
    tier: text,
    lots: fc.array(lot, { maxLength: 12 }),
    debt: num,
    totals: fc.record({ earned: num, redeemed: num, captured: num, expired: num, clawedBack: num, adjusted: num, reversed: num }),
    holds: fc.array(fc.tuple(text, hold), { maxLength: 3 }),
    orders: fc.array(fc.tuple(text, order), { maxLength: 3 }),
    lastDay: fc.option(day),
    streak: fc.oneof(fc.constant(0), num),
    daily: fc.array(fc.tuple(day, dayCounts), { maxLength: 6 }),
    activityYears: record(num),
    qualifying: fc.array(fc.tuple(day, num), { maxLength: 6 }),
    tierFloor: fc.option(text),
    lastUpgradeAt: fc.option(instant),
    referredBy: fc.option(text),
    transfers: fc.option(transfers),
    velocity: fc.option(velocity),
    flags: fc.option(flags),
  })
  .map((g) => {
    const state: MemberState = {
      memberId: g.memberId,
      version: g.version,
      tier: g.tier,
      lots: new Map(g.lots),
      debt: g.debt,
      totals: g.totals,
      holds: keyedFrom(g.holds),
      orders: new Map<string, OrderState>(g.orders),
      checkIn: g.lastDay === null ? (g.streak === 0 ? NO_CHECK_IN : { streak: g.streak }) : { lastDay: g.lastDay, streak: g.streak },
      daily: new Map(g.daily),
      activityYears: keyedFrom(g.activityYears),
      qualifying: new Map(g.qualifying),
    };
    if (g.tierFloor !== null) state.tierFloor = g.tierFloor;
    if (g.lastUpgradeAt !== null) state.lastUpgradeAt = g.lastUpgradeAt;
    if (g.referredBy !== null) state.referredBy = g.referredBy;
    if (g.transfers !== null) state.transfers = g.transfers;
    if (g.velocity !== null) state.velocity = keyedFrom(g.velocity.map(([key, period, count]) => [key, [period, count] as const]));
    if (g.flags !== null) state.flags = g.flags;
    return state;
  });

describe('compact member states', () => {
  it('read back equal to any state they were written from, whatever its values, and write the same text again', () => {
    fc.assert(
      fc.property(memberState, fc.option(text), (state, keptUnder) => {
        const memberId = keptUnder ?? state.memberId;
        const written = encode(state, memberId);
        const read = decode(written, memberId);
        expect(read).toEqual(state);
        expect([...read.lots.keys()]).toEqual([...state.lots.keys()]);
        expect([...read.daily.keys()]).toEqual([...state.daily.keys()]);
        expect(Object.keys(read.holds)).toEqual(Object.keys(state.holds));
        expect(encode(read, memberId)).toBe(written);
      }),
      { numRuns: 300 },
    );
  });

  it('write instants as toISOString does, to the millisecond, from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MS_9999 }), (ms) => {
        expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2_000 },
    );
  });

  it('give empty records back as the shared empty ones, which a fold copies before writing instead of throwing', () => {
    const read = decode(encode(initialMemberState('m-1')), 'm-1');
    expect(read).toEqual(initialMemberState('m-1'));
    expect(read.holds).toBe(NO_ENTRIES);
    expect(read.activityYears).toBe(NO_ENTRIES);
    expect(read.checkIn).toBe(NO_CHECK_IN);
    const fold = MemberFold.owning(read).apply(
      {
        type: 'points.held',
        memberId: 'm-1',
        occurredAt: '2026-01-10T08:00:00.000Z',
        data: { holdId: 'h-1', points: 0, storeId: 'sh-07', fromLots: [], expiresAt: '2026-01-10T08:15:00.000Z' },
      },
      1,
    );
    expect(Object.keys(fold.state.holds)).toEqual(['h-1']);
    expect(NO_ENTRIES).toEqual({});
  });

  it('fold on to the same state as the one they were written from', () => {
    const at = (d: number) => new Date(Date.UTC(2026, 10, 1) + d * 86_400_000).toISOString();
    const earned = (d: number, lotId: string, extra: object = {}): NewLedgerEvent => ({
      type: 'points.earned',
      memberId: 'm-1',
      occurredAt: at(d),
      data: { points: 100, lotId, expiresAt: at(d + 365), reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [], day: at(d).slice(0, 10), ...extra },
    });
    const history = [
      earned(0, 'a'),
      earned(1, 'b', { availableAt: at(15) }),
      earned(2, 'c', { reason: 'check-in', streak: 2 }),
      earned(3, 'd', { reason: 'activity', activity: 'review' }),
    ];
    const state = stateFrom('m-1', history);
    const next = earned(4, 'e', { orderId: 'o-1', orderAmountMinor: 10_000 });
    const fromCompact = MemberFold.owning(decode(encode(state), 'm-1')).apply(next, state.version + 1).state;
    expect(fromCompact).toEqual(MemberFold.from(state).apply(next, state.version + 1).state);
  });

  it('take a small part of the state as plain JSON: lots and days as runs of numbers', () => {
    const lots = Array.from({ length: 10 }, (_, i) => ({
      lotId: `Kq3Z0v8GgJd6m1tO2xYb${i}A`,
      points: 120,
      remaining: 120,
      held: 0,
      expiresAt: `2027-11-2${i}T02:15:00.000Z`,
      pending: false,
      order: i + 1,
    }));
    const state = { ...initialMemberState('m-1'), version: 10, lots: new Map(lots.map((l) => [l.lotId, l])) };
    const plainJson = JSON.stringify(state, (_, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value));
    expect(encode(state).length).toBeLessThan(0.4 * plainJson.length);
  });
});
