import { LotPortion } from '@tally/contracts';
import { Lot } from './member-state';

/** A member's open lots by lot id. */
export type Lots = Map<string, Lot>;

/** Lots in spending order: soonest-expiring first, then the order they were opened in. */
export const lotsInSpendingOrder = (lots: ReadonlyMap<string, Lot>): Lot[] =>
  [...lots.values()].sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : a.expiresAt > b.expiresAt ? 1 : a.order - b.order));

export const spendableOf = (lot: Lot): number => (lot.pending ? 0 : Math.max(0, lot.remaining - lot.held));

/**
 * Chooses the portions of lots that pay `points`, soonest-expiring first. `shortfall` is what the
 * lots could not cover (a clawback turns it into debt; a redemption is refused).
 */
export const takeFromLots = (lots: ReadonlyMap<string, Lot>, points: number): { portions: LotPortion[]; shortfall: number } => {
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

export type LotChange = (lot: Lot, points: number) => Lot;

export const spend: LotChange = (lot, points) => ({ ...lot, remaining: lot.remaining - points });
export const reserve: LotChange = (lot, points) => ({ ...lot, held: lot.held + points });
export const unreserve: LotChange = (lot, points) => ({ ...lot, held: lot.held - points });
export const capture: LotChange = (lot, points) => ({ ...lot, held: lot.held - points, remaining: lot.remaining - points });
export const restore: LotChange = (lot, points) => ({ ...lot, remaining: lot.remaining + points });

/**
 * Applies a change to each lot a list of portions names, in `lots` itself (a map the caller owns;
 * the lots in it are replaced, never changed). A portion for a closed lot reopens it.
 */
export const applyPortions = (lots: Lots, portions: readonly LotPortion[], change: LotChange, reopenOrder: number): void => {
  for (const portion of portions) {
    const lot = lots.get(portion.lotId) ?? {
      lotId: portion.lotId,
      points: 0,
      remaining: 0,
      held: 0,
      expiresAt: portion.expiresAt,
      pending: false,
      order: reopenOrder,
    };
    lots.set(portion.lotId, change(lot, portion.points));
  }
};

/**
 * A lot with nothing left and nothing reserved is closed: it leaves the state (and the lots view).
 * Only lots an event touched can close, so only those are looked at.
 */
export const closeEmptyLots = (lots: Lots, lotIds: Iterable<string>): void => {
  for (const lotId of lotIds) if (isEmptied(lots.get(lotId))) lots.delete(lotId);
};

/** A lot with nothing left and nothing reserved. */
export const isEmptied = (lot: Lot | undefined): boolean => lot !== undefined && lot.remaining <= 0 && lot.held <= 0;

/** Repays debt from lots that are (or just became) available, soonest-expiring first; returns what is still owed and the lots it took from. */
export const repayDebt = (lots: Lots, debt: number): { debt: number; touched: string[] } => {
  if (debt <= 0) return { debt, touched: [] };
  const { portions, shortfall } = takeFromLots(lots, debt);
  applyPortions(lots, portions, spend, 0);
  return { debt: shortfall, touched: portions.map((p) => p.lotId) };
};
