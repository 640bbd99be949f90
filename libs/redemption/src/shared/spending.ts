import { LotPortion } from '@tally/contracts';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { Refusal, refuse } from './decision';

export type InsufficientPoints = Refusal<'INSUFFICIENT_POINTS'> & { available: number; requested: number };

/**
 * Chooses the lots that pay `points`, soonest-expiring first, or refuses: only `available` may be
 * spent, and nothing while the member is in debt (available below zero).
 */
export const spendAvailable = (
  state: MemberState,
  points: number,
): { ok: true; fromLots: LotPortion[]; available: number } | InsufficientPoints => {
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
