import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { MemberFold, MemberState, initialMemberState } from '@tally/member-ledger';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec';

const M = 'm-1001';
const EXPIRES = '2027-11-23T02:00:00.000Z';
const portion = (lotId: string, points: number): LotPortion => ({ lotId, points, expiresAt: EXPIRES });
const at = (day: number) => new Date(Date.UTC(2026, 10, 1) + day * 86_400_000).toISOString();
const earned = (day: number, lotId: string, points: number, extra: object = {}): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: M,
  occurredAt: at(day),
  data: { points, lotId, expiresAt: EXPIRES, reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [], day: at(day).slice(0, 10), ...extra },
});

/** A member with something of every kind the state keeps: lots (one pending), a hold, orders refunded, counters, a floor. */
const richState = (): MemberState => {
  const history: NewLedgerEvent[] = [
    earned(0, 'lot-a', 500, { orderId: 'o-1', orderAmountMinor: 50_000, storeId: 'sh-07' }),
    earned(1, 'lot-b', 300, { orderId: 'o-2', orderAmountMinor: 30_000, availableAt: at(15) }),
    earned(2, 'lot-c', 10, { reason: 'check-in', streak: 3 }),
    earned(3, 'lot-d', 20, { reason: 'activity', activity: 'review' }),
    earned(4, 'lot-e', 100, { reason: 'referral-welcome', referrerId: 'm-7' }),
    {
      type: 'points.held',
      memberId: M,
      occurredAt: at(5),
      data: { holdId: 'h-1', points: 50, storeId: 'sh-07', fromLots: [portion('lot-a', 50)], expiresAt: at(6) },
    },
    {
      type: 'points.clawed-back',
      memberId: M,
      occurredAt: at(6),
      data: { points: 120, orderId: 'o-1', refundId: 'r-1', fromLots: [portion('lot-a', 120)], refundedMinor: 12_000 },
    },
    {
      type: 'tier.changed',
      memberId: M,
      occurredAt: at(7),
      data: { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'ops-floor', floor: 'silver', actor: 'ops:ana' },
    },
    {
      type: 'points.transferred',
      memberId: M,
      occurredAt: at(8),
      data: { transferId: 't-1', points: 5, toMemberId: 'm-9', fromLots: [portion('lot-c', 5)], day: at(8).slice(0, 10) },
    },
    {
      type: 'points.received',
      memberId: M,
      occurredAt: at(8),
      data: { transferId: 't-2', points: 7, fromMemberId: 'm-9', toLots: [portion('transfer:t-2:0', 7)], day: at(8).slice(0, 10) },
    },
  ];
  const fold = MemberFold.owning(initialMemberState(M));
  history.forEach((event, i) => fold.apply(event, i + 1));
  return fold.state;
};

describe('stored snapshots', () => {
  it('give back the very state they were written from', () => {
    const state = richState();
    expect(state.lots.size).toBe(6);
    expect(state.transfers?.months['2026-11']).toEqual({ sent: 5, received: 7, recipients: ['m-9'] });
    expect(Object.keys(state.holds)).toEqual(['h-1']);
    const stored = JSON.parse(JSON.stringify(encodeSnapshot(state)));
    expect(decodeSnapshot(M, stored)).toEqual(state);
    expect(decodeSnapshot(M, JSON.parse(JSON.stringify(encodeSnapshot(initialMemberState(M)))))).toEqual(initialMemberState(M));
  });

  it('are folded into like any state, and fold on to the same place', () => {
    const state = richState();
    const next: NewLedgerEvent = earned(9, 'lot-f', 40, { orderId: 'o-3', orderAmountMinor: 4000 });
    const fromSnapshot = MemberFold.owning(decodeSnapshot(M, JSON.parse(JSON.stringify(encodeSnapshot(state))))).apply(next, 9).state;
    expect(fromSnapshot).toEqual(MemberFold.from(state).apply(next, 9).state);
  });

  it('keep the lots an abuse flag holds held, with or without a pending period of their own', () => {
    const flagged: NewLedgerEvent = {
      type: 'member.flagged',
      memberId: M,
      occurredAt: at(9),
      data: {
        flagId: 'f-1',
        ruleId: 'burst',
        action: 'hold-earnings',
        evidence: { input: 'purchase', window: 'hour', period: '2026-11-10T00', count: 3, max: 2, eventId: 'e-1' },
      },
    };
    const fold = MemberFold.owning(richState());
    [flagged, earned(9, 'lot-g', 30, { heldByFlag: 'f-1' }), earned(9, 'lot-h', 40, { heldByFlag: 'f-1', availableAt: at(20) })].forEach((e, i) =>
      fold.apply(e, 20 + i),
    );
    expect(fold.state.lots.get('lot-g')).toEqual(expect.objectContaining({ pending: true, heldByFlag: true }));
    expect(decodeSnapshot(M, JSON.parse(JSON.stringify(encodeSnapshot(fold.state))))).toEqual(fold.state);
  });

  it('mark only the days checked in, and give the mark back', () => {
    const state = richState();
    const stored = JSON.parse(JSON.stringify(encodeSnapshot(state)));
    expect(stored.daily.map((tuple: unknown[]) => tuple.length)).toEqual([3, 3, 4, 3, 3]);
    expect(stored.daily[2]).toEqual([at(2).slice(0, 10), 10, {}, 1]);
    const decoded = decodeSnapshot(M, stored);
    expect(decoded.daily.get(at(2).slice(0, 10))).toEqual({ earned: 10, activities: {}, checkedIn: true });
    expect(decoded.daily.get(at(3).slice(0, 10))).not.toHaveProperty('checkedIn');
  });

  it('take about half the bytes of the state as plain JSON', () => {
    const state = richState();
    const plainJson = JSON.stringify(state, (_, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value));
    expect(JSON.stringify(encodeSnapshot(state)).length).toBeLessThan(0.65 * plainJson.length);
  });
});
