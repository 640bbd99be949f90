import { MemberState, balanceOf } from '@tally/member-ledger';
import { decideCapture } from '../capture/capture.decider';
import { decideHold } from '../hold/hold.decider';
import { MEMBER_ID, T0, after, earned, given } from '../testing/ledger.fixtures';
import { decideRelease } from './release.decider';

const LATER = '2026-06-01T00:00:00.000Z';
const HOLD_EXPIRES = '2026-01-10T08:15:00.000Z';

const withHold = (): MemberState => {
  const state = given(earned('lot-1', 500, LATER));
  return after(state, decideHold(state, { holdId: 'h-1', points: 200, storeId: 'sh-07', ttlSeconds: 900, occurredAt: T0 }));
};

describe('decideRelease', () => {
  it("gives the hold's points back to available, from the lots they were reserved in", () => {
    const state = withHold();
    const decision = decideRelease(state, { holdId: 'h-1', occurredAt: '2026-01-10T08:01:00Z', reason: 'released' });
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'hold.released',
          memberId: MEMBER_ID,
          occurredAt: '2026-01-10T08:01:00Z',
          data: { holdId: 'h-1', points: 200, reason: 'released', fromLots: [{ lotId: 'lot-1', points: 200, expiresAt: LATER }] },
        },
      ],
      result: { holdId: 'h-1', points: 200, available: 500 },
    });
    const released = after(state, decision);
    expect(balanceOf(released)).toMatchObject({ available: 500, held: 0 });
    expect(released.holds).toEqual({});
  });

  it('releases for expiry once the ttl is over', () => {
    expect(decideRelease(withHold(), { holdId: 'h-1', occurredAt: HOLD_EXPIRES, reason: 'expired' })).toMatchObject({
      kind: 'append',
      result: { points: 200 },
    });
  });

  it('refuses an expiry release before the ttl is over with HOLD_NOT_DUE', () => {
    expect(decideRelease(withHold(), { holdId: 'h-1', occurredAt: '2026-01-10T08:14:59Z', reason: 'expired' })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_NOT_DUE',
      details: { expiresAt: HOLD_EXPIRES },
    });
  });

  it('refuses an unknown hold with HOLD_NOT_FOUND', () => {
    expect(decideRelease(withHold(), { holdId: 'h-9', occurredAt: T0, reason: 'released' })).toMatchObject({ kind: 'reject', code: 'HOLD_NOT_FOUND' });
  });

  it('refuses a resolved hold with HOLD_NOT_FOUND: the state keeps open holds only', () => {
    const state0 = withHold();
    const captured = after(state0, decideCapture(state0, { holdId: 'h-1', occurredAt: T0 }));
    expect(decideRelease(captured, { holdId: 'h-1', occurredAt: T0, reason: 'released' })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_NOT_FOUND',
      details: { holdId: 'h-1' },
    });
    const released = after(state0, decideRelease(state0, { holdId: 'h-1', occurredAt: T0, reason: 'released' }));
    expect(decideRelease(released, { holdId: 'h-1', occurredAt: HOLD_EXPIRES, reason: 'expired' })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_NOT_FOUND',
      details: { holdId: 'h-1' },
    });
  });
});
