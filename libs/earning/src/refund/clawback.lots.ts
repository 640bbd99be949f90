import { LotPortion } from '@tally/contracts';
import { Lots, lotsInSpendingOrder, takeFromLots } from '@tally/member-ledger';

/**
 * The lots a clawback takes from: available points first, soonest-expiring first (as any spend);
 * then pending points, which the refunded order may still be in; only what neither covers is debt.
 */
export const clawbackPortions = (lots: Lots, points: number): { portions: LotPortion[]; debt: number } => {
  const { portions, shortfall } = takeFromLots(lots, points);
  let left = shortfall;
  const fromPending: LotPortion[] = [];
  for (const lot of lotsInSpendingOrder(lots)) {
    if (left <= 0) break;
    if (!lot.pending) continue;
    const take = Math.min(Math.max(0, lot.remaining - lot.held), left);
    if (take > 0) {
      fromPending.push({ lotId: lot.lotId, points: take, expiresAt: lot.expiresAt });
      left -= take;
    }
  }
  return { portions: [...portions, ...fromPending], debt: left };
};
