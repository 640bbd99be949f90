import { Decision, NewLedgerEvent, appendEvents } from '@tally/contracts';
import { MemberState, evolveAll } from '@tally/member-ledger';
import { TierRules, decideTierFloor } from '@tally/tiers';
import { OpeningBalanceRow, RowRefusalCode } from './opening-balance.row';

/** The reason an opening balance's `points.adjusted` events carry. */
export const OPENING_BALANCE_REASON = 'opening-balance';

export interface OpeningBalanceContext {
  /** When the import decides: lots already expired then are refused. */
  asOf: string;
  /** Who imports: the token's role, as for adjustments. */
  actor: string;
  /** Where the row came from (the import job), carried in the events' note for auditors. */
  source: string;
  rules: TierRules;
}

export type OpeningBalanceRefusalCode = RowRefusalCode | 'LOT_ALREADY_EXPIRED' | 'UNKNOWN_TIER';

/** What a row answers (and the ledger keeps as its key's answer). */
export type OpeningBalanceOutcome =
  | { status: 'applied'; key: string; memberId: string; points: number; lots: number; tier: string }
  | { status: 'refused'; key: string; memberId: string; code: OpeningBalanceRefusalCode; message: string };

export type OpeningBalanceDecision = Decision<OpeningBalanceOutcome, OpeningBalanceRefusalCode>;

/** The lot a row's n-th lot opens: the same row imported again names the same lots. */
export const openingLotId = (key: string, index: number): string => `ob:${key}:${index + 1}`;

const refused = (row: OpeningBalanceRow, code: OpeningBalanceRefusalCode, message: string): OpeningBalanceDecision => ({
  kind: 'reject',
  memberId: row.memberId,
  code,
  message,
  result: { status: 'refused', key: row.key, memberId: row.memberId, code, message },
  // The row may be corrected and imported again under the same key.
  final: false,
});

/**
 * An opening balance: one `points.adjusted` per lot (reason `opening-balance`), each lot keeping
 * the expiry the old programme gave it, and the tier as a floor (`tier.changed`, as ops would set
 * it). Adjustments are not qualifying points, so an imported balance never lifts a tier by itself:
 * the row's tier says where the member stands. A lot already expired is refused, not imported.
 */
export const decideOpeningBalance = (state: MemberState, row: OpeningBalanceRow, context: OpeningBalanceContext): OpeningBalanceDecision => {
  const expired = row.lots.find((lot) => lot.expiresAt <= context.asOf);
  if (expired) return refused(row, 'LOT_ALREADY_EXPIRED', `a lot of ${expired.points} points expired at ${expired.expiresAt}`);
  const events: NewLedgerEvent[] = row.lots.map((lot, i) => ({
    type: 'points.adjusted',
    memberId: row.memberId,
    occurredAt: context.asOf,
    data: {
      points: lot.points,
      actor: context.actor,
      reason: OPENING_BALANCE_REASON,
      lotId: openingLotId(row.key, i),
      expiresAt: lot.expiresAt,
      note: context.source,
      adjustmentId: row.key,
    },
  }));
  const credited = evolveAll(state, events);
  let tier = credited.tier;
  if (row.tier !== undefined) {
    // A member is known from its opening row on, even one that brings no points.
    const floor = decideTierFloor(
      { ...credited, version: Math.max(1, credited.version) },
      { tier: row.tier, reason: context.source, actor: context.actor },
      context.asOf,
      context.rules,
    );
    if (floor.result.status === 'unknown-tier') return refused(row, 'UNKNOWN_TIER', floor.result.message);
    if (floor.kind === 'append') events.push(...floor.events);
    if (floor.result.status === 'set') tier = floor.result.tier;
  }
  return appendEvents(events, { status: 'applied', key: row.key, memberId: row.memberId, points: row.points, lots: row.lots.length, tier });
};
