import { Decision, NewLedgerEvent, RefundRefusalCode, appendEvents, nothingToDo } from '@tally/contracts';
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
  | 'OCCURRED_BEFORE_PROGRAM'
  | RefundRefusalCode;

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
  'PURCHASE_EARNED_NOTHING',
];

/** What the earn service keeps of a handled input, and where a waiting one waits. */
export type EarnResult =
  | { outcome: 'earned' | 'refused'; /** Abuse rules that flagged the member with this earning (for the metrics). */ flagged?: string[] }
  | { outcome: 'deferred'; waitKey: string };

/** Shared by every decision: results are only ever read and stored. */
const EARNED: EarnResult = Object.freeze({ outcome: 'earned' });
const REFUSED: EarnResult = Object.freeze({ outcome: 'refused' });

export type EarnDecision = Decision<EarnResult, EarnRefusalCode>;

/** The key inputs waiting for an order's purchase are parked under (a refund before its purchase). */
export const orderWaitKey = (orderId: string) => `order:${orderId}`;

export const append = (...events: NewLedgerEvent[]): EarnDecision => appendEvents(events, EARNED);

/** An earning with the flags abuse rules raised on it: the flags are appended with it, and their rules remembered. */
export const flaggedEarning = (events: readonly NewLedgerEvent[], flags: readonly NewLedgerEvent[]): EarnDecision =>
  appendEvents([...events, ...flags], { outcome: 'earned', flagged: flags.flatMap((flag) => (flag.type === 'member.flagged' ? [flag.data.ruleId] : [])) });

export const reject = (memberId: string, code: EarnRefusalCode, message: string): EarnDecision => ({
  kind: 'reject',
  memberId,
  code,
  message,
  result: REFUSED,
});

/** A refund before its purchase: nothing recorded, it waits (parked) and is decided again once the purchase is in. */
export const waitForOrder = (orderId: string): EarnDecision => nothingToDo({ outcome: 'deferred', waitKey: orderWaitKey(orderId) });
