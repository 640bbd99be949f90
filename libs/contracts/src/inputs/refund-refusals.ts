/**
 * Why a refund (`purchase.refunded`) that arrived before its purchase is refused: the purchase came
 * and earned nothing (it was refused), so there is nothing to claw back and nothing more to wait
 * for. A business refusal (listed by `GET /ops/rejections`), so that no refund waits forever.
 */
export const REFUND_REFUSAL_CODES = ['PURCHASE_EARNED_NOTHING'] as const;

export type RefundRefusalCode = (typeof REFUND_REFUSAL_CODES)[number];
