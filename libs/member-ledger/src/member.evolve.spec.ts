import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { balanceOf } from './member-balance';
import { MemberState, initialMemberState } from './member-state';
import { DAILY_DAYS_KEPT, MemberFold, evolveAll, evolveMember, isDayKnown, oldestKnownDay, stateFrom } from './member.evolve';

const MEMBER = 'm-1';
const AT = '2026-01-10T08:00:00.000Z';
const EXPIRES = '2027-01-01T00:00:00.000Z';

const fold = evolveAll;
const given = (...events: NewLedgerEvent[]): MemberState => stateFrom(MEMBER, events);

const portion = (lotId: string, points: number): LotPortion => ({ lotId, points, expiresAt: EXPIRES });

const earned = (lotId: string, points: number): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: MEMBER,
  occurredAt: AT,
  data: { points, lotId, expiresAt: EXPIRES, reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
});
const redeemed = (redemptionId: string, fromLots: LotPortion[]): NewLedgerEvent => ({
  type: 'points.redeemed',
  memberId: MEMBER,
  occurredAt: AT,
  data: { redemptionId, points: fromLots.reduce((s, p) => s + p.points, 0), storeId: 'sh-07', fromLots, valueMinor: 0, currency: 'CNY' },
});
const reversed = (redemptionId: string, toLots: LotPortion[]): NewLedgerEvent => ({
  type: 'redemption.reversed',
  memberId: MEMBER,
  occurredAt: AT,
  data: { redemptionId, points: toLots.reduce((s, p) => s + p.points, 0), toLots },
});
const held = (holdId: string, fromLots: LotPortion[]): NewLedgerEvent => ({
  type: 'points.held',
  memberId: MEMBER,
  occurredAt: AT,
  data: { holdId, points: fromLots.reduce((s, p) => s + p.points, 0), storeId: 'sh-07', fromLots, expiresAt: '2026-01-10T08:15:00.000Z' },
});
const captured = (holdId: string, fromLots: LotPortion[]): NewLedgerEvent => ({
  type: 'hold.captured',
  memberId: MEMBER,
  occurredAt: AT,
  data: { holdId, points: fromLots.reduce((s, p) => s + p.points, 0), fromLots },
});
const released = (holdId: string, fromLots: LotPortion[], reason: 'released' | 'expired' | 'partial-capture'): NewLedgerEvent => ({
  type: 'hold.released',
  memberId: MEMBER,
  occurredAt: AT,
  data: { holdId, points: fromLots.reduce((s, p) => s + p.points, 0), fromLots, reason },
});

describe('evolveMember: the state holds what is open, not the history', () => {
  it('spends and restores lots and totals for a redemption and its reversal without recording the redemption', () => {
    const state = given(earned('lot-1', 500), redeemed('rd-1', [portion('lot-1', 200)]));
    expect(state).not.toHaveProperty('redemptions');
    expect(state.lots.get('lot-1')).toMatchObject({ remaining: 300, held: 0 });
    expect(state.totals).toMatchObject({ earned: 500, redeemed: 200, reversed: 0 });

    const back = fold(state, [reversed('rd-1', [portion('lot-1', 200)])]);
    expect(back).not.toHaveProperty('redemptions');
    expect(back.lots.get('lot-1')).toMatchObject({ remaining: 500 });
    expect(back.totals).toMatchObject({ redeemed: 200, reversed: 200 });
    expect(balanceOf(back).available).toBe(500);
  });

  it('keeps a hold while it is open, and drops it once captured, released, partly captured or expired', () => {
    const state = given(
      earned('lot-1', 1000),
      held('h-cap', [portion('lot-1', 100)]),
      held('h-rel', [portion('lot-1', 100)]),
      held('h-part', [portion('lot-1', 100)]),
      held('h-exp', [portion('lot-1', 100)]),
      held('h-open', [portion('lot-1', 100)]),
    );
    expect(Object.keys(state.holds).sort()).toEqual(['h-cap', 'h-exp', 'h-open', 'h-part', 'h-rel']);
    expect(state.holds['h-open']).toEqual({
      points: 100,
      storeId: 'sh-07',
      fromLots: [portion('lot-1', 100)],
      expiresAt: '2026-01-10T08:15:00.000Z',
      status: 'open',
    });
    expect(balanceOf(state)).toMatchObject({ available: 500, held: 500 });

    const resolved = fold(state, [
      captured('h-cap', [portion('lot-1', 100)]),
      released('h-rel', [portion('lot-1', 100)], 'released'),
      captured('h-part', [portion('lot-1', 40)]),
      released('h-part', [portion('lot-1', 60)], 'partial-capture'),
      released('h-exp', [portion('lot-1', 100)], 'expired'),
    ]);
    expect(Object.keys(resolved.holds)).toEqual(['h-open']);
    expect(resolved.lots.get('lot-1')).toMatchObject({ remaining: 860, held: 100 });
    expect(resolved.totals).toMatchObject({ captured: 140 });
    expect(balanceOf(resolved)).toMatchObject({ available: 760, held: 100 });
  });

  it('still repays debt from points a release gives back', () => {
    const state = given(earned('lot-1', 100), held('h-1', [portion('lot-1', 100)]), {
      type: 'points.clawed-back',
      memberId: MEMBER,
      occurredAt: AT,
      data: { points: 30, orderId: 'o-1', refundId: 'rf-1', fromLots: [], debt: 30 },
    });
    expect(state.debt).toBe(30);
    const after = fold(state, [released('h-1', [portion('lot-1', 100)], 'released')]);
    expect(after.debt).toBe(0);
    expect(after.holds).toEqual({});
    expect(balanceOf(after).available).toBe(70);
  });

  it('keeps the state of a member with 2,000 redemptions and captured holds as small as with 2', () => {
    const history = (pairs: number): MemberState => {
      let state = initialMemberState(MEMBER);
      for (let i = 0; i < pairs; i++) {
        // Each round spends its whole lot: 60 points redeemed, 40 held and captured.
        state = fold(state, [
          earned(`lot-${i}`, 100),
          redeemed(`rd-${i}`, [portion(`lot-${i}`, 60)]),
          held(`h-${i}`, [portion(`lot-${i}`, 40)]),
          captured(`h-${i}`, [portion(`lot-${i}`, 40)]),
        ]);
      }
      return state;
    };
    const small = JSON.stringify(history(2)).length;
    const large = JSON.stringify(history(2_000)).length;
    expect(history(2_000)).toMatchObject({ lots: {}, holds: {}, totals: { earned: 200_000, redeemed: 120_000, captured: 80_000 } });
    // Only the counters' digits grow (version, totals).
    expect(large).toBeLessThan(small + 32);
    expect(large).toBeLessThan(600);
  });
});

describe('evolveMember: check-ins', () => {
  const onDay = (day: string, reason: 'check-in' | 'check-in-streak' | 'purchase', streak?: number): NewLedgerEvent => ({
    type: 'points.earned',
    memberId: MEMBER,
    occurredAt: `${day}T01:00:00.000Z`,
    data: {
      points: 10,
      lotId: `lot-${day}-${reason}`,
      expiresAt: EXPIRES,
      reason,
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
      day,
      ...(streak ? { streak } : {}),
    },
  });

  it('marks the days checked in, and only those, whatever else was earned on them', () => {
    const state = given(onDay('2026-01-05', 'purchase'), onDay('2026-01-06', 'check-in', 1), onDay('2026-01-06', 'purchase'), onDay('2026-01-07', 'purchase'));
    expect(state.daily.get('2026-01-05')).toEqual({ earned: 10, activities: {} });
    expect(state.daily.get('2026-01-06')).toEqual({ earned: 20, activities: {}, checkedIn: true });
    expect(state.daily.get('2026-01-07')).not.toHaveProperty('checkedIn');
    expect(given(onDay('2026-01-08', 'check-in-streak', 7)).daily.get('2026-01-08')).not.toHaveProperty('checkedIn');
  });

  it('moves the last day checked in only forward: a late day is marked, the streak stays', () => {
    const state = given(onDay('2026-01-06', 'check-in', 1), onDay('2026-01-07', 'check-in', 2), onDay('2026-01-05', 'check-in', 1));
    expect(state.checkIn).toEqual({ lastDay: '2026-01-07', streak: 2 });
    expect([...state.daily].filter(([, d]) => d.checkedIn).map(([day]) => day)).toEqual(['2026-01-06', '2026-01-07', '2026-01-05']);
    expect(balanceOf(state).available).toBe(30);
  });

  it('knows the days the prune could not have dropped: 400 before the newest one folded', () => {
    expect(DAILY_DAYS_KEPT).toBe(400);
    expect(isDayKnown(new Map(), '2020-01-01')).toBe(true);
    let state = initialMemberState(MEMBER);
    // 405 days checked in: more than are kept, so the oldest are dropped
    const events = Array.from({ length: 405 }, (_, i) => onDay(new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), 'check-in', i + 1));
    state = fold(state, events);
    expect(oldestKnownDay(state.daily)).toBe('2026-01-05');
    expect(state.daily.has('2026-01-04')).toBe(false);
    expect([...state.daily.keys()].every((day) => isDayKnown(state.daily, day))).toBe(true);
    expect(isDayKnown(state.daily, '2026-01-04')).toBe(false);
    // a program's shorter window looks back less far
    expect(oldestKnownDay(state.daily, 35)).toBe('2027-01-05');
    // a late day earned on does not move the window back
    expect(oldestKnownDay(fold(state, [onDay('2026-06-20', 'purchase')]).daily)).toBe('2026-01-05');
  });

  it('keeps only days with activity: a member seen on two days a year apart holds two', () => {
    const state = given(onDay('2026-01-06', 'purchase'), onDay('2026-12-20', 'purchase'));
    expect([...state.daily.keys()]).toEqual(['2026-01-06', '2026-12-20']);
  });
});

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

describe('MemberFold: folding in place without touching what others hold', () => {
  const clawedBack = (refundId: string, fromLots: LotPortion[], debt: number): NewLedgerEvent => ({
    type: 'points.clawed-back',
    memberId: MEMBER,
    occurredAt: AT,
    data: { points: fromLots.reduce((s, p) => s + p.points, 0) + debt, orderId: 'o-1', refundId, fromLots, debt },
  });
  const checkedIn = (day: string, streak: number): NewLedgerEvent => ({
    type: 'points.earned',
    memberId: MEMBER,
    occurredAt: `${day}T01:00:00.000Z`,
    data: { points: 10, lotId: `lot-${day}`, expiresAt: EXPIRES, reason: 'check-in', tier: 'silver', multiplier: 1, ruleIds: [], day, streak },
  });
  const history: NewLedgerEvent[] = [
    earned('lot-1', 500),
    earned('lot-2', 300),
    held('h-1', [portion('lot-1', 200)]),
    redeemed('rd-1', [portion('lot-1', 300)]),
    clawedBack('rf-1', [portion('lot-2', 300)], 40),
    released('h-1', [portion('lot-1', 200)], 'released'),
    reversed('rd-1', [portion('lot-1', 300)]),
    { type: 'points.expired', memberId: MEMBER, occurredAt: AT, data: { lotId: 'lot-1', points: 100 } },
    { type: 'tier.changed', memberId: MEMBER, occurredAt: AT, data: { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'threshold-reached' } },
    checkedIn('2026-01-11', 1),
    // late, for the day before
    checkedIn('2026-01-10', 1),
  ];

  it('never changes a state it was given, at any step of a history', () => {
    let state = deepFreeze(initialMemberState(MEMBER));
    for (const [i, event] of history.entries()) state = deepFreeze(evolveMember(state, event, i + 1));
    expect(balanceOf(state)).toMatchObject({ available: 380, held: 0, tier: 'silver', version: history.length });
    expect(state.checkIn).toEqual({ lastDay: '2026-01-11', streak: 1 });
  });

  it('folds a history it owns in place into the same state, event after event', () => {
    const owned = MemberFold.owning(initialMemberState(MEMBER));
    const shared = MemberFold.from(deepFreeze(initialMemberState(MEMBER)));
    let pure = initialMemberState(MEMBER);
    for (const [i, event] of history.entries()) {
      pure = evolveMember(pure, event, i + 1);
      expect(owned.apply(event, i + 1).state).toEqual(pure);
      expect(shared.apply(event, i + 1).state).toEqual(pure);
    }
  });
});

describe('MemberFold: states without holds or activities share one empty record', () => {
  const activity = (memberId: string): NewLedgerEvent => ({
    type: 'points.earned',
    memberId,
    occurredAt: AT,
    data: {
      points: 20,
      lotId: `lot-${memberId}`,
      expiresAt: EXPIRES,
      reason: 'activity',
      activity: 'review',
      day: '2026-01-10',
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
    },
  });

  it("gives a member folded in place holds and activities of its own, and leaves every other member's empty", () => {
    const other = initialMemberState('m-2');
    const owned = MemberFold.owning(initialMemberState(MEMBER));
    owned
      .apply(earned('lot-1', 500), 1)
      .apply(held('h-1', [portion('lot-1', 200)]), 2)
      .apply(activity(MEMBER), 3);
    expect(Object.keys(owned.state.holds)).toEqual(['h-1']);
    expect(owned.state.activityYears).toEqual({ 'review@2026': 1 });
    expect(Object.keys(other.holds)).toEqual([]);
    expect(Object.keys(other.activityYears)).toEqual([]);
    expect(Object.keys(initialMemberState('m-3').holds)).toEqual([]);
  });

  it("counts a day's activities per member, whoever else counted one that day", () => {
    const first = MemberFold.owning(initialMemberState(MEMBER)).apply(activity(MEMBER), 1);
    const second = MemberFold.owning(initialMemberState('m-2')).apply(activity('m-2'), 1);
    expect(first.state.daily.get('2026-01-10')).toEqual({ earned: 20, activities: { review: 1 } });
    expect(second.state.daily.get('2026-01-10')).toEqual({ earned: 20, activities: { review: 1 } });
  });

  it('refuses a write that bypasses a fold, instead of giving it to every member', () => {
    const state = initialMemberState(MEMBER);
    expect(() => {
      state.holds['h-1'] = { points: 1, storeId: 's', fromLots: [], expiresAt: EXPIRES, status: 'open' };
    }).toThrow(TypeError);
    expect(Object.keys(initialMemberState('m-2').holds)).toEqual([]);
  });
});

describe('MemberFold: what changed', () => {
  it('names every lot and hold whose row an event added, changed or closed', () => {
    let state = initialMemberState(MEMBER);
    const steps: NewLedgerEvent[] = [
      earned('lot-1', 100),
      earned('lot-2', 50),
      held('h-1', [portion('lot-1', 30)]),
      redeemed('rd-1', [portion('lot-1', 70)]),
      captured('h-1', [portion('lot-1', 30)]),
      reversed('rd-1', [portion('lot-1', 70)]),
    ];
    for (const [i, event] of steps.entries()) {
      const fold = MemberFold.from(state);
      const next = fold.apply(event, i + 1).state;
      const differing = (a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>) =>
        [...new Set([...a.keys(), ...b.keys()])].filter((id) => JSON.stringify(a.get(id)) !== JSON.stringify(b.get(id))).sort();
      const asMap = (record: Record<string, unknown>) => new Map(Object.entries(record));
      expect([...fold.changedLots].sort()).toEqual(differing(state.lots, next.lots));
      expect([...fold.changedHolds].sort()).toEqual(differing(asMap(state.holds), asMap(next.holds)));
      state = next;
    }
  });
});
