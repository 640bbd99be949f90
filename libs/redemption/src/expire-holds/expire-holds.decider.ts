import { isAtOrBefore } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { decideRelease } from '../release/release.decider';
import { Accepted } from '../shared/decision';

export type ExpireHoldsDecision = Accepted<{ holdIds: string[]; points: number }>;

/**
 * Releases every open hold whose ttl is over at `asOf`, oldest first. The events carry `asOf` as their
 * time: the points were still shown as held until the sweep ran.
 */
export const decideExpireHolds = (state: MemberState, asOf: string): ExpireHoldsDecision => {
  const due = Object.entries(state.holds)
    .filter(([, hold]) => isAtOrBefore(hold.expiresAt, asOf))
    .sort(([idA, a], [idB, b]) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || (idA < idB ? -1 : idA > idB ? 1 : 0));
  const decision: ExpireHoldsDecision = { ok: true, events: [], holdIds: [], points: 0 };
  for (const [holdId] of due) {
    const release = decideRelease(state, { holdId, occurredAt: asOf, reason: 'expired' });
    if (!release.ok) continue;
    decision.events.push(...release.events);
    decision.holdIds.push(holdId);
    decision.points += release.points;
  }
  return decision;
};
