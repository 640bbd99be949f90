import { MemberState, balanceOf } from '@tally/member-ledger';
import { decideHold } from '../hold/hold.decider';
import { decideRelease } from '../release/release.decider';
import { MEMBER_ID, T0, after, earned, given } from '../testing/ledger.fixtures';
import { decideCapture } from './capture.decider';

const SOON = '2026-03-01T00:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';
const CAPTURED_AT = '2026-01-10T08:05:00.000Z';
const HOLD_EXPIRES = '2026-01-10T08:15:00.000Z';

/** 1000 points in two lots, 600 of them held by h-1 (500 from the soonest lot, 100 from the later one). */
const withHold = (): MemberState => {
  const state = given(earned('lot-late', 500, LATER), earned('lot-soon', 500, SOON));
  return after(state, decideHold(state, { holdId: 'h-1', points: 600, storeId: 'sh-07', ttlSeconds: 900, occurredAt: T0 }));
};

describe('decideCapture', () => {
  it('captures the whole hold when no points are given', () => {
    const state = withHold();
    const decision = decideCapture(state, { holdId: 'h-1', occurredAt: CAPTURED_AT, redemptionId: 'order-9' });
    const fromLots = [
      { lotId: 'lot-soon', points: 500, expiresAt: SOON },
      { lotId: 'lot-late', points: 100, expiresAt: LATER },
    ];
    expect(decision).toEqual({
      kind: 'append',
      events: [
        { type: 'hold.captured', memberId: MEMBER_ID, occurredAt: CAPTURED_AT, data: { holdId: 'h-1', points: 600, fromLots, redemptionId: 'order-9' } },
      ],
      result: { holdId: 'h-1', captured: 600, released: 0, fromLots, available: 400 },
    });
    const captured = after(state, decision);
    expect(balanceOf(captured)).toMatchObject({ available: 400, held: 0, lifetimeRedeemed: 600 });
    expect(captured.holds).toEqual({});
  });

  it("captures fewer points from the hold's lots in order and releases the rest", () => {
    const state = withHold();
    const decision = decideCapture(state, { holdId: 'h-1', points: 450, occurredAt: CAPTURED_AT });
    expect(decision).toMatchObject({ kind: 'append', result: { captured: 450, released: 150 } });
    expect(decision.kind === 'append' && decision.events).toEqual([
      {
        type: 'hold.captured',
        memberId: MEMBER_ID,
        occurredAt: CAPTURED_AT,
        data: { holdId: 'h-1', points: 450, fromLots: [{ lotId: 'lot-soon', points: 450, expiresAt: SOON }] },
      },
      {
        type: 'hold.released',
        memberId: MEMBER_ID,
        occurredAt: CAPTURED_AT,
        data: {
          holdId: 'h-1',
          points: 150,
          reason: 'partial-capture',
          fromLots: [
            { lotId: 'lot-soon', points: 50, expiresAt: SOON },
            { lotId: 'lot-late', points: 100, expiresAt: LATER },
          ],
        },
      },
    ]);
    const captured = after(state, decision);
    expect(balanceOf(captured)).toMatchObject({ available: 550, held: 0 });
    expect(captured.holds).toEqual({});
  });

  it('refuses an unknown hold with HOLD_NOT_FOUND', () => {
    expect(decideCapture(withHold(), { holdId: 'h-2', occurredAt: CAPTURED_AT })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_NOT_FOUND',
      details: { holdId: 'h-2' },
    });
  });

  it('refuses a captured hold with HOLD_NOT_FOUND: the state keeps open holds only', () => {
    const state0 = withHold();
    const state = after(state0, decideCapture(state0, { holdId: 'h-1', points: 10, occurredAt: CAPTURED_AT }));
    expect(decideCapture(state, { holdId: 'h-1', occurredAt: CAPTURED_AT })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_NOT_FOUND',
      details: { holdId: 'h-1' },
    });
  });

  it('refuses a released hold with HOLD_NOT_FOUND', () => {
    const state0 = withHold();
    const state = after(state0, decideRelease(state0, { holdId: 'h-1', occurredAt: CAPTURED_AT, reason: 'released' }));
    expect(decideCapture(state, { holdId: 'h-1', occurredAt: CAPTURED_AT })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_NOT_FOUND',
      details: { holdId: 'h-1' },
    });
  });

  it('refuses more points than held with CAPTURE_EXCEEDS_HOLD', () => {
    expect(decideCapture(withHold(), { holdId: 'h-1', points: 601, occurredAt: CAPTURED_AT })).toMatchObject({
      kind: 'reject',
      code: 'CAPTURE_EXCEEDS_HOLD',
      details: { held: 600, requested: 601 },
    });
  });

  it.each([0, -1, 1.5])('refuses %p points with INVALID_POINTS', (points) => {
    expect(decideCapture(withHold(), { holdId: 'h-1', points, occurredAt: CAPTURED_AT })).toMatchObject({ kind: 'reject', code: 'INVALID_POINTS' });
  });

  it('refuses a hold whose ttl is over, even before the sweep released it, with HOLD_EXPIRED', () => {
    expect(decideCapture(withHold(), { holdId: 'h-1', occurredAt: HOLD_EXPIRES })).toMatchObject({
      kind: 'reject',
      code: 'HOLD_EXPIRED',
      details: { expiresAt: HOLD_EXPIRES },
    });
  });
});
