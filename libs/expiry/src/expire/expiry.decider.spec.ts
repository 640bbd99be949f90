import { decidedEvents } from '@tally/contracts';
import { balanceOf } from '@tally/member-ledger';
import { MEMBER_ID, earned, fold, given, held, holdReleased, redeemed, released, reversed } from '../testing/ledger.fixtures';
import { decideExpiry } from './expiry.decider';

const DUE = '2026-03-01T08:00:00.000Z';
const NOT_DUE = '2026-03-02T08:00:00.000Z';
const SWEEP = '2026-03-01T12:00:00.000Z';

describe('decideExpiry', () => {
  it('expires what is left of every lot due, and nothing of the others', () => {
    // given a due lot partly redeemed, a due lot untouched and a lot not due yet
    const state = given(
      earned('lot-a', 300, DUE),
      earned('lot-b', 200, DUE),
      earned('lot-c', 500, NOT_DUE),
      redeemed('rd-1', [{ lotId: 'lot-a', points: 120, expiresAt: DUE }]),
    );
    // when
    const decision = decideExpiry(state, SWEEP);
    // then
    expect(decision).toEqual({
      kind: 'append',
      events: [
        { type: 'points.expired', memberId: MEMBER_ID, occurredAt: SWEEP, data: { lotId: 'lot-a', points: 180 } },
        { type: 'points.expired', memberId: MEMBER_ID, occurredAt: SWEEP, data: { lotId: 'lot-b', points: 200 } },
      ],
      result: { lotsExpired: 2, pointsExpired: 380 },
    });
    const expired = fold(state, decidedEvents(decision));
    expect(balanceOf(expired)).toMatchObject({ available: 500, expired: 380 });
    expect([...expired.lots.keys()]).toEqual(['lot-c']);
  });

  it('expires a lot at its expiry instant, whatever offset either time is written in', () => {
    const state = given(earned('lot-a', 100, '2026-03-01T16:00:00+08:00'));
    expect(decidedEvents(decideExpiry(state, '2026-03-01T07:59:59.999Z'))).toEqual([]);
    expect(decideExpiry(state, DUE)).toMatchObject({ result: { lotsExpired: 1, pointsExpired: 100 } });
  });

  it('never expires the same points twice', () => {
    const state0 = given(earned('lot-a', 100, DUE));
    const state = fold(state0, decidedEvents(decideExpiry(state0, SWEEP)));
    expect(decideExpiry(state, SWEEP)).toEqual({ kind: 'skip', result: { lotsExpired: 0, pointsExpired: 0 } });
    expect(decidedEvents(decideExpiry(state, '2027-01-01T00:00:00Z'))).toEqual([]);
  });

  it('leaves held points alone while held, and expires them once the hold is released', () => {
    const portion = { lotId: 'lot-a', points: 70, expiresAt: DUE };
    const state0 = given(earned('lot-a', 100, DUE), held('h-1', [portion]));
    const decision = decideExpiry(state0, SWEEP);
    expect(decision).toMatchObject({ result: { lotsExpired: 1, pointsExpired: 30 } });

    const state1 = fold(state0, [...decidedEvents(decision), holdReleased('h-1', [portion], '2026-03-01T13:00:00Z')]);
    expect(balanceOf(state1)).toMatchObject({ available: 70, held: 0 });
    expect(decideExpiry(state1, '2026-03-02T00:00:00Z')).toMatchObject({ result: { lotsExpired: 1, pointsExpired: 70 } });
  });

  it('decides nothing for a lot entirely held', () => {
    const state = given(earned('lot-a', 100, DUE), held('h-1', [{ lotId: 'lot-a', points: 100, expiresAt: DUE }]));
    expect(decidedEvents(decideExpiry(state, SWEEP))).toEqual([]);
  });

  it('leaves pending points alone until they are released', () => {
    const state0 = given(earned('lot-a', 100, DUE, '2026-04-01T00:00:00Z'));
    expect(decidedEvents(decideExpiry(state0, SWEEP))).toEqual([]);
    expect(decideExpiry(fold(state0, [released('lot-a', 100)]), SWEEP)).toMatchObject({ result: { pointsExpired: 100 } });
  });

  it('expires points a reversal put back into a lot that is already due', () => {
    const portion = { lotId: 'lot-a', points: 100, expiresAt: DUE };
    const state0 = given(earned('lot-a', 100, DUE), redeemed('rd-1', [portion]));
    expect(decidedEvents(decideExpiry(state0, SWEEP))).toEqual([]);
    const state = fold(state0, [reversed('rd-1', [portion], SWEEP)]);
    expect(decideExpiry(state, SWEEP)).toMatchObject({ result: { lotsExpired: 1, pointsExpired: 100 } });
  });
});
