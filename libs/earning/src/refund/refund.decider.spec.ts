import { NewLedgerEvent } from '@tally/contracts';
import { balanceOf, initialMemberState } from '@tally/member-ledger';
import {
  MEMBER,
  contextFor,
  dataOf,
  eventsOf,
  evolveTrackingRefunds,
  fold,
  programWith,
  purchase,
  purchaseRule,
  refund,
  refusedAs,
  run,
} from '../testing/earn.fixtures';
import { decideRefund } from './refund.decider';

// 129.90 CNY earns 129 points for a member (lot-1, expiring 2027-11-23T02:15:00.000Z)
const LOT_1 = { lotId: 'lot-1', expiresAt: '2027-11-23T02:15:00.000Z' };
const afterPurchase = (ctx = contextFor()) => run([purchase()], ctx).members;

const redeemed = (points: number, lotId = 'lot-1', expiresAt = LOT_1.expiresAt): NewLedgerEvent => ({
  type: 'points.redeemed',
  memberId: MEMBER,
  occurredAt: '2026-11-23T11:00:00+08:00',
  data: { points, redemptionId: 'rd-1', storeId: 'sh-07', fromLots: [{ lotId, points, expiresAt }] },
});

describe('decideRefund', () => {
  it("claws back the refund's share of the order's points, from the member's lots", () => {
    // given a purchase of 129.90 that earned 129 points
    const members = afterPurchase();
    // when 30.00 of it is refunded
    const decision = decideRefund(refund(), members[MEMBER], contextFor());
    // then floor(129 * 3000 / 12990) = 29 points are clawed back
    expect(decision).toEqual({
      kind: 'append',
      result: { outcome: 'earned' },
      events: [
        {
          type: 'points.clawed-back',
          memberId: MEMBER,
          occurredAt: '2026-11-24T09:00:00+08:00',
          data: { points: 29, orderId: 'o-555', refundId: 'r-1', fromLots: [{ ...LOT_1, points: 29 }], refundedMinor: 3_000 },
        },
      ],
    });
  });

  it('records the refund on the order', () => {
    const { members } = run([purchase(), refund()], contextFor());
    expect(members[MEMBER].orders.get('o-555')).toMatchObject({ points: 129, clawedBack: 29, refundIds: ['r-1'] });
    expect(balanceOf(members[MEMBER]).available).toBe(100);
  });

  it('claws back every point of an order refunded in full, and never more', () => {
    const { members, decisions } = run([purchase(), refund({ amountMinor: 20_000 }), refund({ refundId: 'r-2', amountMinor: 100 })], contextFor());
    expect(decisions.slice(1).map((d) => eventsOf(d)[0].data)).toMatchObject([{ points: 129 }, { points: 0, fromLots: [] }]);
    expect(members[MEMBER].orders.get('o-555')).toMatchObject({ clawedBack: 129, refundIds: ['r-1', 'r-2'] });
  });

  it('records a refund too small to claw back a point, so that its amount and id still count', () => {
    const decision = decideRefund(refund({ amountMinor: 50 }), afterPurchase()[MEMBER], contextFor());
    expect(eventsOf(decision)[0].data).toEqual({ points: 0, orderId: 'o-555', refundId: 'r-1', fromLots: [], refundedMinor: 50 });
  });

  it('spends soonest-expiring lots first', () => {
    // given the order's lot and an older one that expires sooner
    const members = run([purchase({ orderId: 'o-old', amountMinor: 1_000, occurredAt: '2026-01-05T10:00:00+08:00' }), purchase()], contextFor()).members;
    const decision = decideRefund(refund(), members[MEMBER], contextFor());
    expect(eventsOf(decision)[0].data).toMatchObject({
      points: 29,
      fromLots: [
        { lotId: 'lot-1', points: 10, expiresAt: '2027-01-05T02:00:00.000Z' },
        { lotId: 'lot-2', points: 19, expiresAt: LOT_1.expiresAt },
      ],
    });
  });

  it('turns what the lots cannot cover into debt: available goes below zero', () => {
    // given the member redeemed 100 of the order's 129 points
    const state = fold(afterPurchase()[MEMBER], [redeemed(100)]);
    // when the whole order is refunded
    const decision = decideRefund(refund({ amountMinor: 12_990 }), state, contextFor());
    // then
    expect(eventsOf(decision)[0].data).toMatchObject({ points: 129, fromLots: [{ ...LOT_1, points: 29 }], debt: 100 });
    expect(balanceOf(fold(state, eventsOf(decision))).available).toBe(-100);
  });

  it('takes pending points before making debt', () => {
    // given a program with a 14-day return window and the order's points still pending
    const ctx = () => contextFor(purchaseRule({ pendingDays: 14 }));
    const { members } = run([purchase(), refund()], ctx());
    const state = members[MEMBER];
    expect(state.debt).toBe(0);
    expect(balanceOf(state)).toMatchObject({ available: 0, pending: 100 });
  });

  it('records refunds without clawing back when the program says none', () => {
    const ctx = contextFor(programWith({ refund: { clawBack: 'none' } }));
    const decision = decideRefund(refund(), afterPurchase()[MEMBER], ctx);
    expect(eventsOf(decision)[0].data).toMatchObject({ points: 0, refundId: 'r-1', refundedMinor: 3_000 });
  });

  describe('over partial refunds', () => {
    const quarters = ['r-1', 'r-2', 'r-3', 'r-4'].map((refundId) => refund({ refundId, amountMinor: 250 }));
    const order = purchase({ amountMinor: 1_000 }); // 10 points

    it('claws back the cumulative share exactly when the member ledger tracks refunded amounts', () => {
      const { decisions, members } = run([order, ...quarters], contextFor(), {}, evolveTrackingRefunds);
      // cumulative targets floor(10 * 250k / 1000): 2, 5, 7, 10
      expect(decisions.slice(1).map((d) => eventsOf(d)[0].data)).toMatchObject([{ points: 2 }, { points: 3 }, { points: 2 }, { points: 3 }]);
      expect(members[MEMBER].orders.get('o-555')?.clawedBack).toBe(10);
    });

    it('never claws back more than the exact rule while it does not', () => {
      const { decisions } = run([order, ...quarters], contextFor());
      const clawed = decisions.slice(1).map((d) => dataOf('points.clawed-back', eventsOf(d)[0]).points);
      clawed.reduce((total, points, i) => {
        expect(total + points).toBeLessThanOrEqual(Math.floor((10 * 250 * (i + 1)) / 1_000));
        return total + points;
      }, 0);
    });
  });

  describe('refuses or defers', () => {
    it('a refund before its purchase: deferred until the purchase is in', () => {
      expect(decideRefund(refund(), initialMemberState(MEMBER), contextFor())).toEqual({
        kind: 'skip',
        result: { outcome: 'deferred', waitKey: 'order:o-555' },
      });
    });

    it('the same refund twice (DUPLICATE_REFUND)', () => {
      const { members } = run([purchase(), refund()], contextFor());
      expect(decideRefund(refund({ eventId: 'pos-7-000999' }), members[MEMBER], contextFor())).toEqual(
        refusedAs('DUPLICATE_REFUND', 'refund r-1 of order o-555 was already applied'),
      );
    });

    it('a currency the program does not accept (UNSUPPORTED_CURRENCY)', () => {
      expect(decideRefund(refund({ currency: 'EUR' }), afterPurchase()[MEMBER], contextFor())).toMatchObject({
        kind: 'reject',
        result: { outcome: 'refused' },
        code: 'UNSUPPORTED_CURRENCY',
      });
    });
  });
});
