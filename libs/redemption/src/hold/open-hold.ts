import { HoldState, MemberState } from '@tally/member-ledger';
import { Refusal, refuse } from '../shared/decision';

/**
 * The member state keeps open holds only: a hold that was captured or released is not found here,
 * like one never placed. The caller tells them apart (the redeem service from the hold's causation).
 */
export type HoldNotOpen = Refusal<'HOLD_NOT_FOUND'> & { holdId: string };

/** A hold resolves once: capture and release both need it still open. */
export const findOpenHold = (state: MemberState, holdId: string): { ok: true; hold: HoldState } | HoldNotOpen => {
  const hold = Object.hasOwn(state.holds, holdId) ? state.holds[holdId] : undefined;
  if (!hold) return refuse('HOLD_NOT_FOUND', `no open hold ${holdId}`, { holdId });
  return { ok: true, hold };
};
