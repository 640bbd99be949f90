import { LotPortion } from '@tally/contracts';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { Refusal, refuse } from './decision';

export type InsufficientPoints = Refusal<'INSUFFICIENT_POINTS'> & { available: number; requested: number };

/** An abuse rule flagged the member to block spending, and ops have not cleared it yet. */
export type MemberFlagged = Refusal<'MEMBER_FLAGGED'> & { flagIds: string[] };

export type SpendRefusal = InsufficientPoints | MemberFlagged;

const blockingFlags = (state: MemberState): string[] =>
  Object.entries(state.flags ?? {})
    .filter(([, flag]) => flag.action === 'block-spending')
    .map(([flagId]) => flagId);

/**
 * Chooses the lots that pay `points`, soonest-expiring first, or refuses: only `available` may be
 * spent, nothing while the member is in debt (available below zero), and nothing while an abuse
 * flag blocks the member's spending.
 */
export const spendAvailable = (
  state: MemberState,
  points: number,
): { ok: true; fromLots: LotPortion[]; available: number } | SpendRefusal => {
  const flagIds = blockingFlags(state);
  if (flagIds.length > 0) return refuse('MEMBER_FLAGGED', 'spending is blocked until ops clear the member’s abuse flag', { flagIds });
  const { available } = balanceOf(state);
  if (available < points) {
    return refuse('INSUFFICIENT_POINTS', `${points} points requested, ${available} available`, { available, requested: points });
  }
  const { portions, shortfall } = takeFromLots(state.lots, points);
  // Unreachable while lots and debt agree (spendable = available + debt); refusing keeps invariant 3 if they ever do not.
  if (shortfall > 0) {
    return refuse('INSUFFICIENT_POINTS', `${points} points requested, lots cover ${points - shortfall}`, { available, requested: points });
  }
  return { ok: true, fromLots: portions, available };
};

export const invalidPoints = (points: unknown): Refusal<'INVALID_POINTS'> =>
  refuse('INVALID_POINTS', `points must be a positive whole number, got ${String(points)}`);
