import { LotPortion } from '@tally/contracts';

export const isPositiveWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

export const sumOfPortions = (portions: readonly LotPortion[]): number => portions.reduce((sum, p) => sum + p.points, 0);

/**
 * Splits portions in their order: the first `points` points, and the rest. A portion that straddles
 * the cut is split in two, both halves keeping the lot and its expiry.
 */
export const splitPortions = (portions: readonly LotPortion[], points: number): { first: LotPortion[]; rest: LotPortion[] } => {
  const first: LotPortion[] = [];
  const rest: LotPortion[] = [];
  let left = points;
  for (const portion of portions) {
    const take = Math.min(portion.points, Math.max(0, left));
    if (take > 0) first.push({ ...portion, points: take });
    if (portion.points > take) rest.push({ ...portion, points: portion.points - take });
    left -= take;
  }
  return { first, rest };
};
