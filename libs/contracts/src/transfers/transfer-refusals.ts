/**
 * Why a transfer (POST /transfers) is refused: stable codes, answered as `{"error": "<code in lower
 * case>"}` with status 422. Limits count per business day and calendar month of the program's zone.
 */
export const TRANSFER_REFUSAL_CODES = [
  /** The program has transfers switched off. */
  'TRANSFERS_DISABLED',
  /** Sender and recipient are the same member. */
  'SELF_TRANSFER',
  'INVALID_POINTS',
  /** The sender's tier is below the program's `minSenderTier`. */
  'SENDER_TIER_TOO_LOW',
  /** More than `maxPointsPerTransfer` in one transfer. */
  'TRANSFER_TOO_LARGE',
  'DAILY_SEND_LIMIT',
  'MONTHLY_SEND_LIMIT',
  'DAILY_RECEIVE_LIMIT',
  'MONTHLY_RECEIVE_LIMIT',
  /** A new recipient beyond `maxRecipientsPerMonth` distinct ones this month. */
  'TOO_MANY_RECIPIENTS',
  /** Not enough available points: pending and held points are never transferred. */
  'INSUFFICIENT_POINTS',
  /** An abuse flag blocks the sender's spending until ops clear it (redemptions and holds get it too). */
  'MEMBER_FLAGGED',
] as const;

export type TransferRefusalCode = (typeof TRANSFER_REFUSAL_CODES)[number];

/** Refusals of a transfer reversal (POST /transfers/{transferId}/reverse). */
export const TRANSFER_REVERSAL_REFUSAL_CODES = ['TRANSFER_NOT_FOUND'] as const;
