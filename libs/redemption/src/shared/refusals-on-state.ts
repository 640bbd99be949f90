/**
 * Refusals that rest on the member's state or on the moment: not enough points, a tier too low, a
 * reward outside its window or out of stock. The same request may succeed later, so such a refusal
 * is logged but is not the final answer of its idempotency key. Every other refusal is about the
 * request itself (a wrong amount, an unknown reward, a hold already resolved) and stays its answer.
 */
const REFUSALS_ON_STATE: ReadonlySet<string> = new Set([
  'INSUFFICIENT_POINTS',
  'TIER_TOO_LOW',
  'REWARD_NOT_AVAILABLE',
  'REWARD_OUT_OF_STOCK',
  // A transfer's: the sender's tier and both members' counts move on, and the program may switch transfers on.
  'SENDER_TIER_TOO_LOW',
  'DAILY_SEND_LIMIT',
  'MONTHLY_SEND_LIMIT',
  'DAILY_RECEIVE_LIMIT',
  'MONTHLY_RECEIVE_LIMIT',
  'TOO_MANY_RECIPIENTS',
  'TRANSFERS_DISABLED',
  // Ops may clear the abuse flag that blocks the member.
  'MEMBER_FLAGGED',
]);

export const restsOnState = (code: string): boolean => REFUSALS_ON_STATE.has(code);
