import { OrderState } from '@tally/member-ledger';

/**
 * Clawback is decided on cumulative totals: after refunds totalling R of an order of amount A that
 * earned P points, `floor(P * R / A)` points are clawed back in all (all P once R >= A). Each refund
 * claws back the difference to what was already clawed back, so partial refunds lose nothing to
 * rounding and never take more than the order earned.
 */
export const cumulativeClawback = (orderPoints: number, orderAmountMinor: number, refundedMinor: number): number => {
  if (orderAmountMinor <= 0 || refundedMinor >= orderAmountMinor) return orderPoints;
  return Number((BigInt(orderPoints) * BigInt(refundedMinor)) / BigInt(orderAmountMinor));
};

/** The amount refunded so far across the order's refunds, as the member ledger folds it. */
export const refundedMinorOf = (order: OrderState): number => order.refundedMinor;
