import { TierName, plusDays } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { qualifyingPoints } from '../qualifying/qualifying-points';
import { earnedRank, rankOf, tierLadder } from '../shared/tier-ladder';
import { tierChanged } from '../shared/tier-changed';
import { TierDecision, tierDecision } from '../tier.decision';
import { decideUpgrade } from '../upgrade/upgrade.decider';
import { DowngradePolicy, TierRule, TierRules } from '../tier.rules';

const targetRank = (policy: DowngradePolicy, current: number, earned: number): number => {
  switch (policy) {
    case 'one-step':
      return current - 1;
    case 'to-earned':
      return earned;
    default: {
      const unknown: never = policy;
      throw new Error(`unknown downgrade policy ${String(unknown)}`);
    }
  }
};

/** The end of the protection the last upgrade gives, when it is still running at `asOf`. */
const protectionUntil = (state: MemberState, asOf: string, rules: TierRules): string | undefined => {
  if (state.lastUpgradeAt === undefined) return undefined;
  const until = plusDays(state.lastUpgradeAt, rules.downgrade.minDaysAfterUpgrade);
  return Date.parse(asOf) < Date.parse(until) ? until : undefined;
};

/**
 * The daily evaluation lowers tiers: when the earned tier is below the current one, never within
 * `downgrade.minDaysAfterUpgrade` days of the last upgrade, never below the floor ops set. A member on
 * a tier the program no longer defines is moved to the earned tier (or the floor), reason
 * 'tier-not-in-program'. Upgrades happen at once, on the ledger event that reaches the threshold
 * (`decideUpgrade`); one whose check never came (a service down while its events went by) is made
 * here, as `decideUpgrade` would have made it.
 */
export const decideDailyEvaluation = (state: MemberState, asOf: string, rules: TierRules): TierDecision => {
  const ladder = tierLadder(rules);
  const points = qualifyingPoints(state, asOf, rules.tierWindow);
  const earned = earnedRank(ladder, points);
  const current = rankOf(ladder, state.tier);
  const floor = rankOf(ladder, state.tierFloor);
  const nameAt = (rank: number): TierName => (ladder[rank] as TierRule).name;
  const unchanged = tierDecision(state, points, []);
  const changeTo = (rank: number, reason: string): TierDecision =>
    tierDecision(state, points, [tierChanged(state.memberId, asOf, { from: state.tier, to: nameAt(rank), qualifyingPoints: points, reason })], nameAt(rank));

  if (current < 0) return changeTo(Math.max(earned, floor), 'tier-not-in-program');
  if (earned > current) return decideUpgrade(state, asOf, rules);
  if (earned === current) return unchanged;
  const target = Math.max(targetRank(rules.downgrade.policy, current, earned), floor);
  if (target >= current) return unchanged;
  const protectedUntil = protectionUntil(state, asOf, rules);
  if (protectedUntil !== undefined) return tierDecision(state, points, [], state.tier, protectedUntil);
  return changeTo(target, 'daily-evaluation');
};
