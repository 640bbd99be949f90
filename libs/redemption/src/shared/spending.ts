import { LotPortion } from '@tally/contracts';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { Refusal, refuse } from './decision';

/** Details: `available`, `requested`. */
export type InsufficientPoints = Refusal<'INSUFFICIENT_POINTS'>;

/** An abuse rule flagged the member to block spending, and ops have not cleared it yet. Details: `flagIds`. */
export type MemberFlagged = Refusal<'MEMBER_FLAGGED'>;

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
export const spendAvailable = (state: MemberState, points: number): { fromLots: LotPortion[]; available: number } | SpendRefusal => {
  const { memberId } = state;
  const flagIds = blockingFlags(state);
  if (flagIds.length > 0) return refuse(memberId, 'MEMBER_FLAGGED', 'spending is blocked until ops clear the member’s abuse flag', { flagIds });
  const { available } = balanceOf(state);
  if (available < points) {
    return refuse(memberId, 'INSUFFICIENT_POINTS', `${points} points requested, ${available} available`, { available, requested: points });
  }
  const { portions, shortfall } = takeFromLots(state.lots, points);
  // Unreachable while lots and debt agree (spendable = available + debt); refusing keeps invariant 3 if they ever do not.
  if (shortfall > 0) {
    return refuse(memberId, 'INSUFFICIENT_POINTS', `${points} points requested, lots cover ${points - shortfall}`, { available, requested: points });
  }
  return { fromLots: portions, available };
};

export const invalidPoints = (memberId: string, points: unknown): Refusal<'INVALID_POINTS'> =>
  refuse(memberId, 'INVALID_POINTS', `points must be a positive whole number, got ${String(points)}`);
