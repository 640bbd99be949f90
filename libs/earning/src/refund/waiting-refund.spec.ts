import { initialMemberState } from '@tally/member-ledger';
import { MEMBER, contextFor, purchase, refund, refusedAs, run } from '../testing/earn.fixtures';
import { OrderPurchase, decideWaitingRefund, settlingRefusal, withPurchase } from './waiting-refund';

const nothingYet = { [MEMBER]: initialMemberState(MEMBER) };

describe('a refund that arrived before its purchase', () => {
  it('waits while its purchase has not come', () => {
    expect(decideWaitingRefund(refund(), nothingYet, contextFor(), undefined)).toEqual({
      kind: 'skip',
      result: { outcome: 'deferred', waitKey: 'order:o-555' },
    });
  });

  it('is applied once its purchase earned', () => {
    const { members } = run([purchase()], contextFor());
    expect(decideWaitingRefund(refund(), members, contextFor(), { earned: true })).toMatchObject({
      kind: 'append',
      events: [{ type: 'points.clawed-back', data: { orderId: 'o-555', points: 29 } }],
    });
  });

  it('is refused with PURCHASE_EARNED_NOTHING when its purchase was refused: nothing will come to settle it', () => {
    expect(decideWaitingRefund(refund(), nothingYet, contextFor(), { earned: false, refusal: 'UNSUPPORTED_CURRENCY' })).toEqual(
      refusedAs('PURCHASE_EARNED_NOTHING', 'the purchase this refund belongs to earned no points (UNSUPPORTED_CURRENCY)'),
    );
  });
});

describe('what settles a waiting refund', () => {
  it('is the first refusal of its purchase that is not a copy of an order that earned', () => {
    expect(settlingRefusal([])).toBeUndefined();
    expect(settlingRefusal(['DUPLICATE_ORDER'])).toBeUndefined();
    expect(settlingRefusal(['DUPLICATE_ORDER', 'NO_POINTS', 'UNSUPPORTED_CURRENCY'])).toBe('NO_POINTS');
  });

  it('counts an order as earned when any of its purchases earned, else keeps the first refusal', () => {
    const earned: OrderPurchase = { earned: true };
    const copy: OrderPurchase = { earned: false, refusal: 'DUPLICATE_ORDER' };
    const noPoints: OrderPurchase = { earned: false, refusal: 'NO_POINTS' };
    expect(withPurchase(copy, earned)).toEqual(earned);
    expect(withPurchase(earned, copy)).toEqual(earned);
    expect(withPurchase(noPoints, copy)).toEqual(noPoints);
    expect(withPurchase(undefined, copy)).toEqual(copy);
    expect(withPurchase(noPoints, undefined)).toEqual(noPoints);
  });
});
