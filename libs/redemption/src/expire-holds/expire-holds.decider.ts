import { Append, NewLedgerEvent, Skip, appendOrSkip, isAtOrBefore } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { decideRelease } from '../release/release.decider';

export interface ExpireHoldsResult {
  holdIds: string[];
  points: number;
}

/** Never a refusal: the holds that are due are released, and with none due there is nothing to do. */
export type ExpireHoldsDecision = Append<ExpireHoldsResult> | Skip<ExpireHoldsResult>;

/**
 * Releases every open hold whose ttl is over at `asOf`, oldest first. The events carry `asOf` as their
 * time: the points were still shown as held until the sweep ran.
 */
export const decideExpireHolds = (state: MemberState, asOf: string): ExpireHoldsDecision => {
  const due = Object.entries(state.holds)
    .filter(([, hold]) => isAtOrBefore(hold.expiresAt, asOf))
    .sort(([idA, a], [idB, b]) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || (idA < idB ? -1 : idA > idB ? 1 : 0));
  const events: NewLedgerEvent[] = [];
  const result: ExpireHoldsResult = { holdIds: [], points: 0 };
  for (const [holdId] of due) {
    const release = decideRelease(state, { holdId, occurredAt: asOf, reason: 'expired' });
    if (release.kind !== 'append') continue;
    events.push(...release.events);
    result.holdIds.push(holdId);
    result.points += release.result.points;
  }
  return appendOrSkip(events, result);
};
