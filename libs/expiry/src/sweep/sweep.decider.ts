import { Append, NewLedgerEvent, Skip, appendOrSkip, decidedEvents } from '@tally/contracts';
import { decideReleases } from '@tally/earning';
import { MemberState, evolveAll } from '@tally/member-ledger';
import { decideExpiry } from '../expire/expiry.decider';

/** What one member's sweep did (and the ledger keeps as the sweep's answer for the member). */
export interface MemberSweepResult {
  memberId: string;
  lotsExpired: number;
  pointsExpired: number;
  lotsReleased: number;
  pointsReleased: number;
}

export type SweepDecision = Append<MemberSweepResult> | Skip<MemberSweepResult>;

const pointsOf = (releases: NewLedgerEvent[]): number => releases.reduce((sum, e) => sum + (e.type === 'points.released' ? e.data.points : 0), 0);

/**
 * One member's sweep at `asOf`: pending lots due by then are released, then what is left of every
 * lot due by then expires (a lot released now can expire in the same sweep).
 */
export const decideSweep = (state: MemberState, asOf: string): SweepDecision => {
  const releases = decideReleases(state, asOf);
  const expiry = decideExpiry(evolveAll(state, releases), asOf);
  return appendOrSkip([...releases, ...decidedEvents(expiry)], {
    memberId: state.memberId,
    lotsExpired: expiry.result.lotsExpired,
    pointsExpired: expiry.result.pointsExpired,
    lotsReleased: releases.length,
    pointsReleased: pointsOf(releases),
  });
};
