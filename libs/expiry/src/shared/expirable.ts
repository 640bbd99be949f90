import { Lot } from '@tally/member-ledger';

/**
 * The points of a lot that can expire now: what is left, minus what open holds reserve. Held points
 * are not expired while held; if the hold is released they become spendable again and the next sweep
 * expires them (the lot's `expiresAt` is kept), if it is captured they were spent in time. Pending
 * points are not expired either: they expire once released.
 */
export const expirablePoints = (lot: Lot): number => (lot.pending ? 0 : Math.max(0, lot.remaining - lot.held));
