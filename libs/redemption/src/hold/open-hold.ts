import { HoldState, MemberState } from '@tally/member-ledger';
import { Refusal, refuse } from '../shared/decision';

export type HoldNotOpen =
  | (Refusal<'HOLD_NOT_FOUND'> & { holdId: string })
  | (Refusal<'HOLD_ALREADY_RESOLVED'> & { holdId: string; status: HoldState['status'] });

/** A hold resolves once: capture and release both need it still open. */
export const findOpenHold = (state: MemberState, holdId: string): { ok: true; hold: HoldState } | HoldNotOpen => {
  const hold = state.holds[holdId];
  if (!hold) return refuse('HOLD_NOT_FOUND', `no hold ${holdId}`, { holdId });
  if (hold.status !== 'open') {
    return refuse('HOLD_ALREADY_RESOLVED', `hold ${holdId} is already ${hold.status}`, { holdId, status: hold.status });
  }
  return { ok: true, hold };
};
