import { LedgerEventMessage } from '@tally/contracts';
import { ledgerMessage } from '../testing/ledger-log.arbitrary';
import { AnalyticsMember, foldAnalytics } from './analytics.fold';

const context = { dayOf: (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10), campaigns: [], baseTier: 'member' };

let position = 0;
const event = (memberId: string, version: number, type: string, data: object, occurredAt = '2026-11-23T02:00:00Z'): LedgerEventMessage =>
  ledgerMessage(++position, memberId, version, type, data, occurredAt);

const earn = (memberId: string, version: number, points: number, extra: object = {}) =>
  event(memberId, version, 'points.earned', {
    points,
    lotId: `l${version}`,
    expiresAt: '2099-01-01T00:00:00Z',
    reason: 'purchase',
    storeId: 's1',
    tier: 'member',
    multiplier: 1,
    ruleIds: [],
    ...extra,
  });

describe('foldAnalytics', () => {
  it("skips what the member's watermark says was applied, so a redelivery changes nothing", () => {
    const known = new Map<string, AnalyticsMember>([
      ['m1', { memberId: 'm1', version: 2, available: 30, pending: 0, held: 0, tier: 'member', lastActiveDay: '2026-11-23' }],
    ]);
    const deltas = foldAnalytics([earn('m1', 1, 10), earn('m1', 2, 20), earn('m1', 3, 5)], known, context);
    expect(deltas.applied).toBe(1);
    expect(deltas.totals).toEqual({ available: 5, pending: 0, held: 0, members: 0 });
    expect(deltas.members.get('m1')).toMatchObject({ version: 3, available: 35 });
  });

  it('keeps liability across pending, held and available as points move between them', () => {
    const deltas = foldAnalytics(
      [
        earn('m1', 1, 100, { availableAt: '2026-12-01T00:00:00Z' }),
        event('m1', 2, 'points.released', { lotId: 'l1', points: 100 }),
        event('m1', 3, 'points.held', { holdId: 'h', points: 40, storeId: 's1', fromLots: [], expiresAt: '2026-11-24T00:00:00Z' }),
        event('m1', 4, 'hold.captured', { holdId: 'h', points: 30, fromLots: [] }),
        event('m1', 5, 'hold.released', { holdId: 'h', points: 10, fromLots: [], reason: 'partial-capture' }),
        event('m1', 6, 'points.clawed-back', { points: 20, orderId: 'o', refundId: 'r', fromLots: [] }),
        event('m1', 7, 'points.adjusted', { points: -5, actor: 'ops', reason: 'goodwill' }),
      ],
      new Map(),
      context,
    );
    expect(deltas.totals).toEqual({ available: 45, pending: 0, held: 0, members: 1 });
    const daily = [...deltas.daily.values()];
    expect(daily.find((d) => d.reason === 'purchase')).toMatchObject({ storeId: 's1', channel: 'store', earned: 100 });
    expect(daily.find((d) => d.reason === 'hold')).toMatchObject({ captured: 30 });
    expect(daily.find((d) => d.reason === 'refund')).toMatchObject({ clawedBack: 20 });
    expect(daily.find((d) => d.reason === 'goodwill')).toMatchObject({ adjusted: -5, channel: 'ops' });
  });

  it('counts a member active once a day, moves tiers, and puts earnings on boards overall and per store', () => {
    const deltas = foldAnalytics(
      [
        earn('m1', 1, 10),
        earn('m1', 2, 10),
        event('m1', 3, 'tier.changed', { from: 'member', to: 'gold', qualifyingPoints: 5000, reason: 'upgrade' }),
        earn('m1', 4, 5, { storeId: undefined, reason: 'check-in' }),
      ],
      new Map(),
      context,
    );
    expect([...deltas.activeDays]).toEqual([['2026-11-23', 1]]);
    expect([...deltas.tiers]).toEqual([
      ['member', 0],
      ['gold', 1],
    ]);
    expect([...deltas.tierMoves.values()]).toEqual([{ day: '2026-11-23', from: 'member', to: 'gold', moves: 1 }]);
    const boards = [...deltas.boards.values()].filter((b) => b.period === 'day');
    expect(boards).toEqual([
      { period: 'day', key: '2026-11-23', storeId: '', memberId: 'm1', points: 25 },
      { period: 'day', key: '2026-11-23', storeId: 's1', memberId: 'm1', points: 20 },
    ]);
  });

  it('moves members between last active days, which "active in the last N days" sums', () => {
    const known = new Map<string, AnalyticsMember>([
      ['m1', { memberId: 'm1', version: 2, available: 0, pending: 0, held: 0, tier: 'member', lastActiveDay: '2026-11-20' }],
    ]);
    const deltas = foldAnalytics(
      [
        earn('m1', 3, 10),
        event('m1', 4, 'points.redeemed', { points: 5, redemptionId: 'r', storeId: 's1', fromLots: [] }, '2026-11-24T02:00:00Z'),
        earn('m2', 1, 10),
        // a late input: m2's earlier day does not make it less recently active
        event(
          'm2',
          2,
          'points.earned',
          { points: 1, lotId: 'l', expiresAt: '2099-01-01T00:00:00Z', reason: 'check-in', tier: 'member', multiplier: 1, ruleIds: [] },
          '2026-11-22T02:00:00Z',
        ),
      ],
      known,
      context,
    );
    expect(Object.fromEntries(deltas.lastActive)).toEqual({ '2026-11-20': -1, '2026-11-23': 1, '2026-11-24': 1 });
  });
});
