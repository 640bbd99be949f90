import { Decision, NewLedgerEvent, Reject, appendEvents, refusalOf } from '@tally/contracts';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';

/** A manual correction by ops: points added (a new lot) or taken (from lots, soonest-expiring first). */
export interface AdjustCommand {
  adjustmentId: string;
  /** Non-zero: positive adds, negative takes. */
  points: number;
  reason: string;
  note?: string;
  /** Who asked: the role of the token, never a body field. */
  actor: string;
  occurredAt: string;
  /** The lot a positive adjustment opens, and when it expires (the program's policy, decided by the caller). */
  lotId: string;
  lotExpiresAt: string;
  /**
   * Debt: a negative adjustment may take more than is available only when ops books the rest as
   * debt on purpose; otherwise it is refused and nothing changes.
   */
  allowDebt?: boolean;
}

export type AdjustRefusalCode = 'UNKNOWN_MEMBER' | 'INSUFFICIENT_POINTS';

/** `available` and `debt` once the adjustment is applied. */
export interface AdjustResult {
  available: number;
  debt: number;
}

/**
 * The shared `Decision`: the events, or a refusal (details: `available` for too few points). Every
 * refusal rests on the member's state, so none is final: the same adjustment may be tried again.
 */
export type AdjustDecision = Decision<AdjustResult, AdjustRefusalCode, undefined>;

const refuse = (memberId: string, code: AdjustRefusalCode, message: string, details?: Record<string, unknown>): Reject<undefined, AdjustRefusalCode> =>
  refusalOf(memberId, code, message, details, false);

/**
 * A positive adjustment opens a lot expiring like an earning would; a negative one takes from the
 * open lots, and what they cannot cover becomes debt only when the command allows it. Adjustments
 * are never qualifying points (the member ledger leaves them out of tiers).
 */
export const decideAdjust = (state: MemberState, command: AdjustCommand): AdjustDecision => {
  if (state.version === 0) return refuse(state.memberId, 'UNKNOWN_MEMBER', `no member ${state.memberId} in the ledger`);
  const available = balanceOf(state).available;
  const base = { points: command.points, actor: command.actor, reason: command.reason, adjustmentId: command.adjustmentId, ...noteOf(command) };
  if (command.points > 0) {
    const data = { ...base, lotId: command.lotId, expiresAt: command.lotExpiresAt };
    return appendEvents([adjusted(state.memberId, command.occurredAt, data)], { available: available + command.points, debt: 0 });
  }
  const { portions, shortfall } = takeFromLots(state.lots, -command.points);
  if (shortfall > 0 && !command.allowDebt) {
    const message = `taking ${-command.points} points would leave available below zero (available ${available}); book it as debt to proceed`;
    return refuse(state.memberId, 'INSUFFICIENT_POINTS', message, { available });
  }
  const data = { ...base, fromLots: portions, ...(shortfall > 0 ? { debt: shortfall } : {}) };
  return appendEvents([adjusted(state.memberId, command.occurredAt, data)], { available: available + command.points, debt: shortfall });
};

const noteOf = (command: AdjustCommand): { note?: string } => (command.note ? { note: command.note } : {});

const adjusted = (memberId: string, occurredAt: string, data: Extract<NewLedgerEvent, { type: 'points.adjusted' }>['data']): NewLedgerEvent => ({
  type: 'points.adjusted',
  memberId,
  occurredAt,
  data,
});
