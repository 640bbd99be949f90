import { HoldState, MemberState } from '@tally/member-ledger';
import { Refusal, refuse } from '../shared/decision';

/**
 * The member state keeps open holds only: a hold that was captured or released is not found here,
 * like one never placed. The caller tells them apart (the redeem service from the hold's causation).
 * Details: `holdId`.
 */
export type HoldNotOpen = Refusal<'HOLD_NOT_FOUND'>;

/** A hold resolves once: capture and release both need it still open. */
export const findOpenHold = (state: MemberState, holdId: string): HoldState | HoldNotOpen => {
  const hold = Object.hasOwn(state.holds, holdId) ? state.holds[holdId] : undefined;
  return hold ?? refuse(state.memberId, 'HOLD_NOT_FOUND', `no open hold ${holdId}`, { holdId });
};
