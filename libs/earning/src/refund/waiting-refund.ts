import { PurchaseRefunded } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { EarnContext, EarnDecision, reject } from '../earn.decision';
import { decideEarn } from '../earn.decider';

/**
 * What the purchase of a refund's order came to: it earned, or it was refused with `refusal` (it
 * earned nothing); undefined while it has not come.
 */
export type OrderPurchase = { earned: true } | { earned: false; refusal: string } | undefined;

/**
 * The refusal of an order's purchase that settles its waiting refunds, from the codes its purchases
 * were refused with (first first). A copy refused as DUPLICATE_ORDER settles nothing: its order
 * earned through the purchase it copies.
 */
export const settlingRefusal = (codes: readonly string[]): string | undefined => codes.find((code) => code !== 'DUPLICATE_ORDER');

/**
 * What one more purchase of an order says about it, given what the others said: an order earned
 * by any of them counts as earned (a copy refused as DUPLICATE_ORDER must not turn away the
 * refunds of the purchase that did earn); otherwise the first refusal stands.
 */
export const withPurchase = (known: OrderPurchase, next: OrderPurchase): OrderPurchase => {
  if (known?.earned || next === undefined) return known;
  return known === undefined || next.earned ? next : known;
};

/**
 * A refund that arrived before its purchase (it waits, parked, under `orderWaitKey`), decided
 * again once its purchase is known: applied when the purchase earned, refused with
 * PURCHASE_EARNED_NOTHING when it earned nothing (nothing to claw back, and nothing more will
 * come), and otherwise decided as any refund (it waits again while its order is unknown).
 */
export const decideWaitingRefund = (
  refund: PurchaseRefunded,
  members: Readonly<Record<string, MemberState>>,
  ctx: EarnContext,
  purchase: OrderPurchase,
): EarnDecision =>
  purchase !== undefined && !purchase.earned
    ? reject(refund.memberId, 'PURCHASE_EARNED_NOTHING', `the purchase this refund belongs to earned no points (${purchase.refusal})`)
    : decideEarn(refund, members, ctx);
