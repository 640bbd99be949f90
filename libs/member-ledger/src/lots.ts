import { LotPortion } from '@tally/contracts';
import { Lot } from './member-state';

export type Lots = Record<string, Lot>;

/** Lots in spending order: soonest-expiring first, then the order they were opened in. */
export const lotsInSpendingOrder = (lots: Lots): Lot[] =>
  Object.values(lots).sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : a.expiresAt > b.expiresAt ? 1 : a.order - b.order));

export const spendableOf = (lot: Lot): number => (lot.pending ? 0 : Math.max(0, lot.remaining - lot.held));

/**
 * Chooses the portions of lots that pay `points`, soonest-expiring first. `shortfall` is what the
 * lots could not cover (a clawback turns it into debt; a redemption is refused).
 */
export const takeFromLots = (lots: Lots, points: number): { portions: LotPortion[]; shortfall: number } => {
  const portions: LotPortion[] = [];
  let left = points;
  for (const lot of lotsInSpendingOrder(lots)) {
    if (left <= 0) break;
    const take = Math.min(spendableOf(lot), left);
    if (take > 0) {
      portions.push({ lotId: lot.lotId, points: take, expiresAt: lot.expiresAt });
      left -= take;
    }
  }
  return { portions, shortfall: left };
};

type LotChange = (lot: Lot, points: number) => Lot;

/** Applies a change to each lot a list of portions names; a portion for a closed lot reopens it. */
export const applyPortions = (lots: Lots, portions: readonly LotPortion[], change: LotChange, reopenOrder: number): Lots => {
  const next = { ...lots };
  for (const portion of portions) {
    const lot = next[portion.lotId] ?? {
      lotId: portion.lotId,
      points: 0,
      remaining: 0,
      held: 0,
      expiresAt: portion.expiresAt,
      pending: false,
      order: reopenOrder,
    };
    next[portion.lotId] = change(lot, portion.points);
  }
  return next;
};

export const spend: LotChange = (lot, points) => ({ ...lot, remaining: lot.remaining - points });
export const reserve: LotChange = (lot, points) => ({ ...lot, held: lot.held + points });
export const unreserve: LotChange = (lot, points) => ({ ...lot, held: lot.held - points });
export const capture: LotChange = (lot, points) => ({ ...lot, held: lot.held - points, remaining: lot.remaining - points });
export const restore: LotChange = (lot, points) => ({ ...lot, remaining: lot.remaining + points });

/** A lot with nothing left and nothing reserved is closed: it leaves the state (and the lots view). */
export const withoutClosedLots = (lots: Lots): Lots => {
  let next: Lots | undefined;
  for (const [lotId, lot] of Object.entries(lots)) {
    if (lot.remaining <= 0 && lot.held <= 0) {
      next ??= { ...lots };
      delete next[lotId];
    }
  }
  return next ?? lots;
};

/** Repays debt from lots that are (or just became) available, soonest-expiring first. */
export const repayDebt = (lots: Lots, debt: number): { lots: Lots; debt: number } => {
  if (debt <= 0) return { lots, debt };
  const { portions, shortfall } = takeFromLots(lots, debt);
  return { lots: applyPortions(lots, portions, spend, 0), debt: shortfall };
};
