import { NewLedgerEvent } from '@tally/contracts';
import { Lot, MemberState } from '@tally/member-ledger';

type DueLot = Lot & { availableAt: string };

const isDue = (lot: Lot, asOf: number): lot is DueLot =>
  lot.pending && !lot.heldByFlag && lot.availableAt !== undefined && Date.parse(lot.availableAt) <= asOf && lot.remaining > 0;

/**
 * Releases pending lots whose pending period is over at `asOf` (a lot an abuse flag holds waits
 * for ops to clear the flag): what is left of each becomes
 * available. The event is dated `availableAt`, not `asOf`, so balances as of any instant are the
 * same however late the clock ran.
 */
export const decideReleases = (state: MemberState, asOf: string): NewLedgerEvent[] => {
  const now = Date.parse(asOf);
  return [...state.lots.values()]
    .filter((lot): lot is DueLot => isDue(lot, now))
    .sort((a, b) => Date.parse(a.availableAt) - Date.parse(b.availableAt) || a.order - b.order)
    .map((lot) => ({ type: 'points.released', memberId: state.memberId, occurredAt: lot.availableAt, data: { lotId: lot.lotId, points: lot.remaining } }));
};
