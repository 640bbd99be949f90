import { NewLedgerEvent } from '@tally/contracts';
import { decideReleases } from '@tally/earning';
import { decideExpiry } from '@tally/expiry';
import { LedgerCommand } from '@tally/ledger';
import { MemberState, evolveMember, initialMemberState } from '@tally/member-ledger';
import { EXPIRY_SCOPE } from './expiry.tokens';

export interface MemberSweepResult {
  memberId: string;
  lotsExpired: number;
  pointsExpired: number;
  lotsReleased: number;
  pointsReleased: number;
}

/**
 * One member's sweep at `asOf`: pending lots due by then are released, then what is left of every
 * lot due by then expires (a lot released now can expire in the same sweep). Keyed by the sweep
 * (`sweepId`, one per run) and member: the state decides what is left to expire, so a repeated or
 * concurrent sweep finds nothing twice, while one that comes after points went back into a lot
 * already due (a hold released, a reversal) expires them, even at the same instant.
 */
export const expiryCommand = (memberId: string, asOf: string, sweepId: string): LedgerCommand<MemberSweepResult> => ({
  scope: EXPIRY_SCOPE,
  causationId: `expire@${asOf}@${sweepId}@${memberId}`,
  memberIds: [memberId],
  decide: (states) => {
    let state: MemberState = states[memberId] ?? initialMemberState(memberId);
    const releases = decideReleases(state, asOf);
    for (const event of releases) state = evolveMember(state, event, state.version + 1);
    const expiry = decideExpiry(state, asOf);
    const events: NewLedgerEvent[] = [...releases, ...expiry.events];
    const result: MemberSweepResult = {
      memberId,
      lotsExpired: expiry.lotsExpired,
      pointsExpired: expiry.pointsExpired,
      lotsReleased: releases.length,
      pointsReleased: releases.reduce((sum, e) => sum + (e.type === 'points.released' ? e.data.points : 0), 0),
    };
    return events.length > 0 ? { kind: 'append', events, result } : { kind: 'skip', result };
  },
});
