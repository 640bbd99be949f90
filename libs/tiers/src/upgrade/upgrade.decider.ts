import { TierName } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { qualifyingPoints } from '../qualifying/qualifying-points';
import { earnedRank, rankOf, tierLadder } from '../shared/tier-ladder';
import { tierChanged } from '../shared/tier-changed';
import { TierRules } from '../tier.rules';
import { TierDecision, tierDecision } from '../tier.decision';

/**
 * Upgrades as soon as the qualifying points reach a higher tier, several tiers at once if they reach
 * them. `asOf` is the evaluation time (the clock), not the time of the event that triggered it. A tier
 * the program does not define is left to the daily evaluation.
 */
export const decideUpgrade = (state: MemberState, asOf: string, rules: TierRules): TierDecision => {
  const ladder = tierLadder(rules);
  const points = qualifyingPoints(state, asOf, rules.tierWindow);
  const earned = earnedRank(ladder, points);
  const current = rankOf(ladder, state.tier);
  const earnedTier = (ladder[earned] as { name: TierName }).name;
  if (current < 0 || earned <= current) return tierDecision(state, points, []);
  const event = tierChanged(state.memberId, asOf, { from: state.tier, to: earnedTier, qualifyingPoints: points, reason: 'threshold-reached' });
  return tierDecision(state, points, [event], earnedTier);
};
