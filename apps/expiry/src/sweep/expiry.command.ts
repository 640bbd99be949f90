import { MemberSweepResult, decideSweep } from '@tally/expiry';
import { LedgerCommand } from '@tally/ledger';
import { EXPIRY_SCOPE } from './expiry.tokens';

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
  decide: (states) => decideSweep(states[memberId], asOf),
});
