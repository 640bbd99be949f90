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
    const lot = lots[portion.lotId] ?? {
      lotId: portion.lotId,
      points: 0,
      remaining: 0,
      held: 0,
      expiresAt: portion.expiresAt,
      pending: false,
      order: reopenOrder,
    };
    lots[portion.lotId] = change(lot, portion.points);
  }
};

/**
 * A lot with nothing left and nothing reserved is closed: it leaves the state (and the lots view).
 * Only lots an event touched can close, so only those are looked at.
 */
export const closeEmptyLots = (lots: Lots, lotIds: Iterable<string>): void => {
  for (const lotId of lotIds) {
    const lot = lots[lotId];
    if (lot && lot.remaining <= 0 && lot.held <= 0) delete lots[lotId];
  }
};

/** Repays debt from lots that are (or just became) available, soonest-expiring first; returns what is still owed and the lots it took from. */
export const repayDebt = (lots: Lots, debt: number): { debt: number; touched: string[] } => {
  if (debt <= 0) return { debt, touched: [] };
  const { portions, shortfall } = takeFromLots(lots, debt);
  applyPortions(lots, portions, spend, 0);
  return { debt: shortfall, touched: portions.map((p) => p.lotId) };
};
