import { LedgerEventDataMap } from '@tally/contracts';
import { EVENT_LAYOUTS, UnknownEventFieldError, decodeEventData, encodeEventData } from './event-codec';

const EXPIRES = '2027-11-23T02:00:00.000Z';

/** One event of every type, with every optional field the decider may set. */
const SAMPLES: { [K in keyof LedgerEventDataMap]: LedgerEventDataMap[K] } = {
  'points.earned': {
    points: 120,
    lotId: 'lot-1',
    expiresAt: EXPIRES,
    availableAt: '2026-12-07T02:00:00.000Z',
    reason: 'purchase',
    storeId: 'sh-07',
    orderId: 'o-1',
    orderAmountMinor: 12_990,
    tier: 'gold',
    multiplier: 1.5,
    ruleIds: ['purchase.base', 'campaign:x'],
    day: '2026-11-23',
    activity: 'review',
    referrerId: 'm-1',
    refereeId: 'm-2',
    streak: 7,
  },
  'points.released': { lotId: 'lot-1', points: 120 },
  'points.clawed-back': {
    points: 30,
    orderId: 'o-1',
    refundId: 'r-1',
    fromLots: [{ lotId: 'lot-1', points: 30, expiresAt: EXPIRES }],
    debt: 5,
    refundedMinor: 3000,
  },
  'points.redeemed': {
    points: 100,
    redemptionId: 'rd-1',
    storeId: 'sh-07',
    rewardId: 'cup',
    fromLots: [{ lotId: 'lot-1', points: 100, expiresAt: EXPIRES }],
    valueMinor: 100,
    currency: 'CNY',
  },
  'points.held': { holdId: 'h-1', points: 50, storeId: 'sh-07', fromLots: [{ lotId: 'lot-1', points: 50, expiresAt: EXPIRES }], expiresAt: EXPIRES },
  'hold.captured': { holdId: 'h-1', points: 20, fromLots: [{ lotId: 'lot-1', points: 20, expiresAt: EXPIRES }], redemptionId: 'rd-2' },
  'hold.released': { holdId: 'h-1', points: 30, fromLots: [{ lotId: 'lot-1', points: 30, expiresAt: EXPIRES }], reason: 'partial-capture' },
  'redemption.reversed': { redemptionId: 'rd-1', points: 100, toLots: [{ lotId: 'lot-1', points: 100, expiresAt: EXPIRES }] },
  'points.expired': { lotId: 'lot-1', points: 70 },
  'points.adjusted': { points: -40, actor: 'ops:ana', reason: 'goodwill «é»', lotId: 'lot-9', expiresAt: EXPIRES, fromLots: [] },
  'tier.changed': { from: 'silver', to: 'gold', qualifyingPoints: 5000, reason: 'ops-floor', floor: 'gold', actor: 'ops:ana', note: 'VIP' },
  'points.transferred': {
    transferId: 't-1',
    points: 30,
    toMemberId: 'm-2',
    fromLots: [{ lotId: 'lot-1', points: 30, expiresAt: EXPIRES }],
    day: '2026-11-23',
    note: '生日快乐',
  },
  'points.received': {
    transferId: 't-1',
    points: 30,
    fromMemberId: 'm-1',
    toLots: [{ lotId: 'transfer:t-1:0', points: 30, expiresAt: EXPIRES }],
    day: '2026-11-23',
    note: '生日快乐',
  },
  'transfer.reversed': {
    transferId: 't-1',
    points: 30,
    actor: 'ops',
    toLots: [{ lotId: 'lot-1', points: 30, expiresAt: EXPIRES }],
    fromLots: [{ lotId: 'transfer:t-1:0', points: 20, expiresAt: EXPIRES }],
    debt: 10,
    note: 'by mistake',
  },
  'member.flagged': {
    flagId: 'f-1',
    ruleId: 'burst',
    action: 'block-spending',
    evidence: { input: 'purchase', window: 'hour', period: '2026-11-23T02', count: 4, max: 3, eventId: 'pos-1' },
  },
  'flag.cleared': { flagId: 'f-1', ruleId: 'burst', actor: 'ops:ana', note: 'reviewed' },
};

describe('stored event data', () => {
  it.each(Object.keys(SAMPLES) as (keyof LedgerEventDataMap)[])('round-trips every field of %s', (type) => {
    const stored = JSON.parse(JSON.stringify(encodeEventData(type, SAMPLES[type])));
    expect(decodeEventData(type, stored)).toEqual(SAMPLES[type]);
  });

  it('keeps values only, in layout order, without trailing absent fields', () => {
    const data: LedgerEventDataMap['points.earned'] = {
      points: 10,
      lotId: 'l',
      expiresAt: EXPIRES,
      reason: 'check-in',
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
      day: '2026-11-23',
    };
    const stored = encodeEventData('points.earned', data);
    expect(stored).toEqual([10, 'l', EXPIRES, 'check-in', 'member', 1, [], null, null, null, '2026-11-23']);
    expect(JSON.stringify(stored).length).toBeLessThan(0.6 * JSON.stringify(data).length);
  });

  it('stores lot portions as [lotId, points, expiresAt]', () => {
    expect(encodeEventData('points.expired', { lotId: 'l', points: 3 })).toEqual(['l', 3]);
    expect(encodeEventData('redemption.reversed', SAMPLES['redemption.reversed'])).toEqual(['rd-1', 100, [['lot-1', 100, EXPIRES]]]);
  });

  it('refuses a field its layout does not name, instead of dropping it', () => {
    const data = { ...SAMPLES['points.expired'], surprise: true } as unknown as LedgerEventDataMap['points.expired'];
    expect(() => encodeEventData('points.expired', data)).toThrow(UnknownEventFieldError);
  });

  it('reads rows written before a layout grew: the fields added since are absent', () => {
    expect(decodeEventData('tier.changed', ['member', 'silver', 1000, 'threshold-reached'])).toEqual({
      from: 'member',
      to: 'silver',
      qualifyingPoints: 1000,
      reason: 'threshold-reached',
    });
  });

  it('leaves a stored null absent, wherever it stands', () => {
    const decoded = decodeEventData('points.earned', [10, 'l', EXPIRES, 'check-in', 'member', 1, [], null, null, null, '2026-11-23']);
    expect(decoded).toEqual({ points: 10, lotId: 'l', expiresAt: EXPIRES, reason: 'check-in', tier: 'member', multiplier: 1, ruleIds: [], day: '2026-11-23' });
    expect('storeId' in decoded).toBe(false);
  });

  it('refuses a type it has no layout for', () => {
    expect(() => decodeEventData('points.minted' as keyof LedgerEventDataMap, [1])).toThrow('unknown ledger event type points.minted');
  });

  it('has a layout for every event type and no name twice', () => {
    for (const names of Object.values(EVENT_LAYOUTS)) expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(EVENT_LAYOUTS).sort()).toEqual(Object.keys(SAMPLES).sort());
  });
});
