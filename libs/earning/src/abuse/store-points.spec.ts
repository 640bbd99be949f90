import { NewLedgerEvent } from '@tally/contracts';
import { StorePointsRule } from '@tally/program';
import { decideStoreFlags, redecideStoreFlags, storeGrantsOf, storeHourDeltas, storeHourKey, storeHourOfInput } from './store-points';

const RULE: StorePointsRule = { id: 'store-burst', input: 'store-points', window: 'hour', max: 1000, action: 'flag' };

/** The flag the rule raises on sh-07's hour, with the count it saw and the input that crossed (or first came back). */
const sh07FlaggedAt = (points: number, eventId: string) => ({
  flagId: expect.any(String),
  storeId: 'sh-07',
  ruleId: 'store-burst',
  action: 'flag',
  evidence: { input: 'store-points', window: 'hour', period: '2026-11-23T02', points, max: 1000, eventId },
});
const earned = (points: number, storeId: string | undefined, occurredAt = '2026-11-23T10:15:00+08:00'): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: 'm-1',
  occurredAt,
  data: {
    points,
    lotId: 'l',
    expiresAt: '2027-11-23T02:15:00.000Z',
    reason: 'purchase',
    tier: 'member',
    multiplier: 1,
    ruleIds: [],
    ...(storeId ? { storeId } : {}),
  },
});
let ids = 0;
const newId = () => `f-${++ids}`;

describe('the store-points rule', () => {
  it('counts what earnings grant through a store, in the UTC hour of the input', () => {
    expect(storeGrantsOf('e-1', [earned(300, 'sh-07'), earned(50, undefined)])).toEqual([
      { storeId: 'sh-07', period: '2026-11-23T02', points: 300, eventId: 'e-1' },
    ]);
  });

  it('flags the store at the grant that takes its hour over the maximum, with the count before the batch', () => {
    const grants = [
      { storeId: 'sh-07', period: '2026-11-23T02', points: 300, eventId: 'e-1' },
      { storeId: 'sh-07', period: '2026-11-23T02', points: 300, eventId: 'e-2' },
      { storeId: 'sh-08', period: '2026-11-23T02', points: 300, eventId: 'e-3' },
    ];
    expect(storeHourDeltas(grants)).toEqual([
      { storeId: 'sh-07', period: '2026-11-23T02', points: 600 },
      { storeId: 'sh-08', period: '2026-11-23T02', points: 300 },
    ]);
    // sh-07 had 500 before this batch: 800 after e-1, 1100 after e-2.
    const totals = new Map([
      [storeHourKey('sh-07', '2026-11-23T02'), 1100],
      [storeHourKey('sh-08', '2026-11-23T02'), 300],
    ]);
    expect(decideStoreFlags(grants, totals, [RULE], newId)).toEqual([sh07FlaggedAt(1100, 'e-2')]);
  });

  it('does not flag again a store that was over the maximum before the batch', () => {
    const grants = [{ storeId: 'sh-07', period: '2026-11-23T02', points: 300, eventId: 'e-4' }];
    expect(decideStoreFlags(grants, new Map([[storeHourKey('sh-07', '2026-11-23T02'), 1400]]), [RULE], newId)).toEqual([]);
  });

  it('finds again, from redelivered inputs, a store-hour already past the maximum: one flag per store-hour and rule, naming its first input', () => {
    const inputs = [
      storeHourOfInput({ eventId: 'e-5', occurredAt: '2026-11-23T10:15:00+08:00', storeId: 'sh-07' }),
      storeHourOfInput({ eventId: 'e-6', occurredAt: '2026-11-23T10:20:00+08:00', storeId: 'sh-07' }),
      storeHourOfInput({ eventId: 'e-7', occurredAt: '2026-11-23T10:20:00+08:00', storeId: 'sh-08' }),
    ].flatMap((input) => (input ? [input] : []));
    const totals = new Map([
      [storeHourKey('sh-07', '2026-11-23T02'), 1200],
      [storeHourKey('sh-08', '2026-11-23T02'), 900],
    ]);
    expect(redecideStoreFlags(inputs, totals, [RULE], newId)).toEqual([sh07FlaggedAt(1200, 'e-5')]);
    expect(storeHourOfInput({ eventId: 'e-8', occurredAt: '2026-11-23T10:15:00+08:00' })).toBeUndefined();
  });
});
