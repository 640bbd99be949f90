import { NewLedgerEvent } from '@tally/contracts';
import { Program } from '@tally/program';

/** What a decision may depend on besides the input and member state: rules, clock, id source. */
export interface EarnContext {
  program: Program;
  now: Date;
  newLotId: () => string;
}

/**
 * Stable codes of the business refusals an earn input may get (recorded for ops, never an error).
 * CHECK_IN_OUT_OF_ORDER is no longer decided (a late check-in earns, or is CHECK_IN_TOO_LATE), but
 * rejections recorded before carry it, so it stays a known code.
 */
export type EarnRefusalCode =
  | 'DUPLICATE_ORDER'
  | 'UNSUPPORTED_CURRENCY'
  | 'NO_POINTS'
  | 'DAILY_CAP_REACHED'
  | 'DUPLICATE_REFUND'
  | 'ALREADY_CHECKED_IN_TODAY'
  | 'CHECK_IN_OUT_OF_ORDER'
  | 'CHECK_IN_TOO_LATE'
  /** A purchase or activity whose daily cap or limit looks at a day before the late-input window. */
  | 'INPUT_TOO_LATE'
  | 'SELF_REFERRAL'
  | 'REFEREE_ALREADY_REFERRED'
  | 'UNKNOWN_ACTIVITY'
  | 'ACTIVITY_LIMIT_REACHED'
  | 'OCCURRED_BEFORE_PROGRAM';

export const EARN_REFUSAL_CODES: readonly EarnRefusalCode[] = [
  'DUPLICATE_ORDER',
  'UNSUPPORTED_CURRENCY',
  'NO_POINTS',
  'DAILY_CAP_REACHED',
  'DUPLICATE_REFUND',
  'ALREADY_CHECKED_IN_TODAY',
  'CHECK_IN_OUT_OF_ORDER',
  'CHECK_IN_TOO_LATE',
  'SELF_REFERRAL',
  'REFEREE_ALREADY_REFERRED',
  'UNKNOWN_ACTIVITY',
  'ACTIVITY_LIMIT_REACHED',
  'OCCURRED_BEFORE_PROGRAM',
  'INPUT_TOO_LATE',
];

export type EarnDecision =
  | { kind: 'append'; events: NewLedgerEvent[] }
  | { kind: 'reject'; memberId: string; code: EarnRefusalCode; message: string }
  /** A refund before its purchase: the service parks it and decides it again once the purchase is in. */
  | { kind: 'defer'; memberId: string; code: 'PURCHASE_NOT_SEEN'; orderId: string };

export const append = (...events: NewLedgerEvent[]): EarnDecision => ({ kind: 'append', events });

export const reject = (memberId: string, code: EarnRefusalCode, message: string): EarnDecision => ({ kind: 'reject', memberId, code, message });
