import { Decision, NewLedgerEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';

/** What a command's decision says should happen: the pure deciders' `Decision`, taken as it is. */
export type CommandOutcome<R> = Decision<R>;

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
  /** What a refusal of this command records beside its code: the input, and when it occurred. */
  refused?: { input: unknown; occurredAt: string };
  /**
   * What this command's appended events add to stores' hourly counts (`store_hour_points`),
   * written by the append's own statement: counted exactly when the events are, never twice and
   * never lost between the two. Called once per append the store writes; a command without it,
   * or a batch whose appends count nothing, writes the append statement as it is.
   */
  counts?(events: readonly NewLedgerEvent[]): readonly StoreHourCount[];
  /**
   * `states` holds the state of every member of `memberIds` (a member with no history has its
   * initial state), for this call only: the store reuses it for the next command.
   */
  decide(states: Readonly<Record<string, MemberState>>): Decision<R>;
}

/** Points granted through one store in one UTC hour (`2026-12-07T10`). */
export interface StoreHourCount {
  storeId: string;
  period: string;
  points: number;
}

/** Each store-hour's count once a call's appends were added to it, by `storeId\u0000period`. */
export type StoreHourTotals = ReadonlyMap<string, number>;

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
