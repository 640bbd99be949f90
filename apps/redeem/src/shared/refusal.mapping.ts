import { HttpStatus } from '@nestjs/common';
import { Reject } from '@tally/contracts';
import { ErrorBody } from '@tally/platform';

/** A refusal as the redemption rules give it: a stable code, a message and details. */
export type LibRefusal = Pick<Reject<unknown>, 'code' | 'message' | 'details'>;

/** The HTTP status of each refusal code of the redemption rules; anything unlisted is 422. */
const STATUS: Record<string, number> = {
  INSUFFICIENT_POINTS: HttpStatus.UNPROCESSABLE_ENTITY,
  INVALID_POINTS: HttpStatus.UNPROCESSABLE_ENTITY,
  INVALID_TTL: HttpStatus.UNPROCESSABLE_ENTITY,
  REWARD_NOT_AVAILABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  TIER_TOO_LOW: HttpStatus.UNPROCESSABLE_ENTITY,
  REWARD_PRICE_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  CAPTURE_EXCEEDS_HOLD: HttpStatus.UNPROCESSABLE_ENTITY,
  REWARD_NOT_FOUND: HttpStatus.NOT_FOUND,
  REDEMPTION_NOT_FOUND: HttpStatus.NOT_FOUND,
  HOLD_NOT_FOUND: HttpStatus.NOT_FOUND,
  REDEMPTION_EXISTS: HttpStatus.CONFLICT,
  HOLD_EXISTS: HttpStatus.CONFLICT,
  ALREADY_REVERSED: HttpStatus.CONFLICT,
  HOLD_ALREADY_RESOLVED: HttpStatus.CONFLICT,
  HOLD_EXPIRED: HttpStatus.CONFLICT,
  HOLD_NOT_DUE: HttpStatus.CONFLICT,
  WRONG_CODE: HttpStatus.UNPROCESSABLE_ENTITY,
  TOO_MANY_ATTEMPTS: HttpStatus.TOO_MANY_REQUESTS,
  CHALLENGE_EXPIRED: HttpStatus.GONE,
  CHALLENGE_CLOSED: HttpStatus.CONFLICT,
  /** Raised by the service, not the rules: stock is global, not a member's. */
  REWARD_OUT_OF_STOCK: HttpStatus.CONFLICT,
};

export const statusOfRefusal = (code: string): number => STATUS[code] ?? HttpStatus.UNPROCESSABLE_ENTITY;

/**
 * `{error: "insufficient_points", message, available, requested}`: the code in lower case, the details
 * kept. A hold's `status` detail becomes `holdStatus`: `status` is the HTTP status to `AppError`.
 */
export const errorBodyOfRefusal = ({ code, message, details }: LibRefusal): ErrorBody => {
  const { status, ...rest } = details ?? {};
  return { error: code.toLowerCase(), message, ...rest, ...(status !== undefined ? { holdStatus: status } : {}) };
};
