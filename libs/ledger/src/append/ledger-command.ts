import { NewLedgerEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';

/** What a decision says should happen; the store appends it atomically, or records the refusal. */
export type CommandOutcome<R> =
  | { kind: 'append'; events: NewLedgerEvent[]; result: R }
  | {
      kind: 'reject';
      memberId: string;
      code: string;
      message: string;
      result: R;
      occurredAt?: string;
      input?: unknown;
      /**
       * False for a refusal that rests on the member's state (not enough points, a tier too low):
       * it is logged, but it is not the answer of its causation, so the same causation decides
       * again. Otherwise (the default) the refusal is the causation's answer for good.
       */
      final?: boolean;
    }
  /** Nothing to record: the command may be retried later with the same causation (e.g. deferred). */
  | { kind: 'skip'; result: R };

/**
 * One unit of work against the ledger: the members it touches, its idempotency key
 * (`scope` + `causationId`), and a pure decision over those members' current states.
 * The store may call `decide` more than once (on a concurrency conflict it re-decides on fresh state).
 */
export interface LedgerCommand<R> {
  scope: string;
  causationId: string;
  memberIds: string[];
  /** A digest of the request: the same key with another fingerprint is an idempotency conflict. */
  fingerprint?: string;
  /** Orders the decision reads (`state.orders`): only these are loaded into the states it is given. */
  orders?: readonly { memberId: string; orderId: string }[];
  /**
   * Orders the decision expects not to exist yet (a purchase's own). Under locks they are read
   * like `orders`; an append that takes no locks decides as if they were absent, and its write
   * refuses (and the store decides again under locks) when one is there after all.
   */
  newOrders?: readonly { memberId: string; orderId: string }[];
  /** `states` holds the members of `memberIds`, for this call only: the store reuses it for the next command. */
  decide(states: Readonly<Record<string, MemberState>>): CommandOutcome<R>;
}

export type CommandResult<R> =
  | { status: 'appended'; result: R; events: AppendedEvent[] }
  | { status: 'rejected'; result: R; code: string; message: string; final: boolean }
  | { status: 'skipped'; result: R }
  /** Seen before: `result` is what the first execution stored. */
  | { status: 'duplicate'; result: unknown; outcome: string; fingerprint: string | null; sameFingerprint: boolean };

/**
 * An event as appended. Its global `position` is not here: no caller needs it at once, and reading
 * it back was a row per event returned by every append (see `writeBatch`); it is
 * `SELECT position FROM ledger_events WHERE member_id = $1 AND version = $2` away.
 */
export interface AppendedEvent {
  memberId: string;
  version: number;
  eventId: string;
  type: string;
  recordedAt: string;
}
