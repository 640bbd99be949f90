import { ReferralCompleted } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { EarnContext, EarnDecision, append, reject } from '../earn.decision';
import { earnedEvent, optional } from '../shared/earned-event';

/**
 * A completed referral rewards both sides: the referrer (`referral`) and the referee
 * (`referral-welcome`). A referee is referred once; refusals are recorded against the referrer,
 * the member the input is keyed by (ops lists them for the referee too, from the input).
 */
export const decideReferral = (referral: ReferralCompleted, referrer: MemberState, referee: MemberState, ctx: EarnContext): EarnDecision => {
  const { referrerId, refereeId, occurredAt } = referral;
  if (referrerId === refereeId) return reject(referrerId, 'SELF_REFERRAL', `${referrerId} cannot refer themselves`);
  if (referee.referredBy !== undefined) {
    return reject(referrerId, 'REFEREE_ALREADY_REFERRED', `${refereeId} was already referred by ${referee.referredBy}`);
  }
  const { referrerPoints, refereePoints } = ctx.program.referral;
  const store = optional('storeId', referral.storeId);
  return append(
    earnedEvent(referrer, occurredAt, ctx, { points: referrerPoints, reason: 'referral', refereeId, multiplier: 1, ruleIds: ['referral.referrer'], ...store }),
    earnedEvent(referee, occurredAt, ctx, {
      points: refereePoints,
      reason: 'referral-welcome',
      referrerId,
      multiplier: 1,
      ruleIds: ['referral.referee'],
      ...store,
    }),
  );
};
