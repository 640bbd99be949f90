import { PointsClawedBack, PurchaseRefunded } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { ClawbackMode, Program } from '@tally/program';
import { EarnContext, EarnDecision, append, reject, waitForOrder } from '../earn.decision';
import { clawbackPortions } from './clawback.lots';
import { cumulativeClawback, refundedMinorOf } from './clawback.math';

/**
 * `points.clawed-back` data as earning writes it: with `refundedMinor`, the refund's amount in minor
 * units, so that the member ledger can keep each order's refunded total (an optional field to add to
 * the contract).
 */
export type ClawbackData = PointsClawedBack & { refundedMinor: number };

const targetFor = (mode: ClawbackMode, orderPoints: number, orderAmountMinor: number, refundedMinor: number): number => {
  switch (mode) {
    case 'pro-rata':
      return cumulativeClawback(orderPoints, orderAmountMinor, refundedMinor);
    case 'none':
      return 0;
    default: {
      const unhandled: never = mode;
      throw new Error(`unhandled clawback mode ${String(unhandled)}`);
    }
  }
};

const isAccepted = (program: Program, currency: string): boolean => Object.hasOwn(program.currencies, currency);

/**
 * Claws back a refunded order's share of its points. Every refund of a known order is recorded, even
 * one that claws back nothing (rounding, or an order already clawed back in full): its amount counts
 * toward the order's refunded total and its id makes a redelivery a duplicate.
 */
export const decideRefund = (refund: PurchaseRefunded, state: MemberState, ctx: EarnContext): EarnDecision => {
  const { memberId, orderId, refundId } = refund;
  if (!isAccepted(ctx.program, refund.currency)) return reject(memberId, 'UNSUPPORTED_CURRENCY', `the program does not accept ${refund.currency}`);
  const order = state.orders.get(orderId);
  if (!order) return waitForOrder(orderId);
  if (order.refundIds.includes(refundId)) return reject(memberId, 'DUPLICATE_REFUND', `refund ${refundId} of order ${orderId} was already applied`);

  const target = targetFor(ctx.program.refund.clawBack, order.points, order.amountMinor, refundedMinorOf(order) + refund.amountMinor);
  const points = Math.max(0, Math.min(target, order.points) - order.clawedBack);
  const { portions, debt } = clawbackPortions(state.lots, points);
  const data: ClawbackData = { points, orderId, refundId, fromLots: portions, refundedMinor: refund.amountMinor, ...(debt > 0 ? { debt } : {}) };
  return append({ type: 'points.clawed-back', memberId, occurredAt: refund.occurredAt, data });
};
