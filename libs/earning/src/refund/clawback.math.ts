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

/** An order as the member ledger will fold it once it tracks the refunded amount (see `refundedMinor` on clawbacks). */
type OrderWithRefunds = OrderState & { refundedMinor: number };

const tracksRefunds = (order: OrderState): order is OrderWithRefunds =>
  typeof (order as Partial<OrderWithRefunds>).refundedMinor === 'number';

/**
 * The amount refunded so far. Until the member ledger folds it, it is inferred as the least amount
 * that explains what was clawed back: never more than the truth, so a clawback can fall short by
 * rounding but never exceed the exact rule.
 */
export const refundedMinorOf = (order: OrderState): number => {
  if (tracksRefunds(order)) return order.refundedMinor;
  if (order.clawedBack <= 0 || order.points <= 0) return 0;
  return Number((BigInt(order.clawedBack) * BigInt(order.amountMinor) + BigInt(order.points) - 1n) / BigInt(order.points));
};
