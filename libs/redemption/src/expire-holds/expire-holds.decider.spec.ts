import { MemberState, balanceOf } from '@tally/member-ledger';
import { decideCapture } from '../capture/capture.decider';
import { decideHold } from '../hold/hold.decider';
import { T0, accepted, after, earned, given } from '../testing/ledger.fixtures';
import { decideExpireHolds } from './expire-holds.decider';

const LATER = '2026-06-01T00:00:00.000Z';

/** Holds h-10m (10 min), h-5m (5 min) and h-1h (1 hour) on 1000 points; h-captured is resolved. */
const withHolds = (): MemberState => {
  let state = given(earned('lot-1', 1000, LATER));
  for (const [holdId, ttlSeconds] of [
    ['h-10m', 600],
    ['h-5m', 300],
    ['h-1h', 3600],
    ['h-captured', 60],
  ] as const) {
    state = after(state, decideHold(state, { holdId, points: 100, storeId: 'sh-07', ttlSeconds, occurredAt: T0 }));
  }
  return after(state, decideCapture(state, { holdId: 'h-captured', occurredAt: T0 }));
};

describe('decideExpireHolds', () => {
  it('releases every open hold whose ttl is over, oldest first, at the sweep time', () => {
    const state = withHolds();
    const asOf = '2026-01-10T08:10:00.000Z';
    const decision = decideExpireHolds(state, asOf);
    expect(decision).toMatchObject({ kind: 'append', result: { holdIds: ['h-5m', 'h-10m'], points: 200 } });
    expect(accepted(decision).events.map((e) => [e.type, e.occurredAt, e.data])).toEqual([
      ['hold.released', asOf, expect.objectContaining({ holdId: 'h-5m', reason: 'expired', points: 100 })],
      ['hold.released', asOf, expect.objectContaining({ holdId: 'h-10m', reason: 'expired', points: 100 })],
    ]);
    expect(balanceOf(after(state, decision))).toMatchObject({ available: 800, held: 100 });
  });

  it('does nothing when no hold is due', () => {
    expect(decideExpireHolds(withHolds(), '2026-01-10T08:04:59.999Z')).toEqual({ kind: 'skip', result: { holdIds: [], points: 0 } });
  });

  it('never releases a hold twice', () => {
    const state0 = withHolds();
    const asOf = '2026-01-10T10:00:00.000Z';
    const state = after(state0, decideExpireHolds(state0, asOf));
    expect(decideExpireHolds(state, asOf)).toMatchObject({ kind: 'skip' });
  });
});
