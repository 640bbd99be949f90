import { balanceOf } from '@tally/member-ledger';
import { MEMBER_ID, T0, after, clawedBack, earned, given } from '../testing/ledger.fixtures';
import { decideHold } from './hold.decider';

const SOON = '2026-03-01T00:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';
const hold = (holdId: string, points: number, ttlSeconds = 900) => ({ holdId, points, storeId: 'sh-07', ttlSeconds, occurredAt: T0 });

describe('decideHold', () => {
  it('reserves points from the soonest-expiring lots until now + ttl', () => {
    const state = given(earned('lot-late', 300, LATER), earned('lot-soon', 500, SOON));
    const decision = decideHold(state, hold('h-1', 600));
    const fromLots = [
      { lotId: 'lot-soon', points: 500, expiresAt: SOON },
      { lotId: 'lot-late', points: 100, expiresAt: LATER },
    ];
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'points.held',
          memberId: MEMBER_ID,
          occurredAt: T0,
          data: { holdId: 'h-1', points: 600, storeId: 'sh-07', fromLots, expiresAt: '2026-01-10T08:15:00.000Z' },
        },
      ],
      result: { holdId: 'h-1', points: 600, fromLots, expiresAt: '2026-01-10T08:15:00.000Z', available: 200 },
    });
    expect(balanceOf(after(state, decision))).toMatchObject({ available: 200, held: 600 });
  });

  it('refuses a hold id already used with HOLD_EXISTS', () => {
    const state0 = given(earned('lot-1', 500, LATER));
    const state = after(state0, decideHold(state0, hold('h-1', 100)));
    expect(decideHold(state, hold('h-1', 100))).toMatchObject({ kind: 'reject', code: 'HOLD_EXISTS', details: { holdId: 'h-1' } });
  });

  it('refuses more than available with INSUFFICIENT_POINTS', () => {
    const state0 = given(earned('lot-1', 500, LATER));
    const state = after(state0, decideHold(state0, hold('h-1', 400)));
    expect(decideHold(state, hold('h-2', 101))).toMatchObject({ kind: 'reject', code: 'INSUFFICIENT_POINTS', details: { available: 100, requested: 101 } });
  });

  it('refuses any hold while the member is in debt', () => {
    const state = given(earned('lot-1', 100, LATER), clawedBack(120, [{ lotId: 'lot-1', points: 100, expiresAt: LATER }], 20));
    expect(decideHold(state, hold('h-1', 1))).toMatchObject({ kind: 'reject', code: 'INSUFFICIENT_POINTS', details: { available: -20 } });
  });

  it.each([0, -1, 2.5])('refuses %p points with INVALID_POINTS', (points) => {
    const state = given(earned('lot-1', 500, LATER));
    expect(decideHold(state, hold('h-1', points))).toMatchObject({ kind: 'reject', code: 'INVALID_POINTS' });
  });

  it.each([0, -60, 0.5])('refuses a ttl of %p seconds with INVALID_TTL', (ttlSeconds) => {
    const state = given(earned('lot-1', 500, LATER));
    expect(decideHold(state, hold('h-1', 100, ttlSeconds))).toMatchObject({ kind: 'reject', code: 'INVALID_TTL', details: { ttlSeconds } });
  });
});
