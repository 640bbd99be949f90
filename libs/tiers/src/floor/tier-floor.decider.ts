import { NewLedgerEvent, TierName } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { qualifyingPoints } from '../qualifying/qualifying-points';
import { rankOf, tierLadder } from '../shared/tier-ladder';
import { tierChanged } from '../shared/tier-changed';
import { TierRules } from '../tier.rules';

export interface TierFloorCommand {
  tier: TierName;
  /** Why ops set it (free text). */
  reason: string;
  actor: string;
}

export type TierFloorDecision =
  | {
      ok: true;
      events: NewLedgerEvent[];
      tier: TierName;
      floor: TierName;
      actor: string;
      note: string;
    }
  | { ok: false; code: 'UNKNOWN_TIER'; message: string; tier: TierName; knownTiers: TierName[] };

/**
 * Ops sets a floor: the member is raised to it at once if below it, and the daily evaluation never
 * goes under it. The event's reason is 'ops-floor' only when it raises the tier (the member ledger
 * counts that reason as an upgrade, which protects the tier for `downgrade.minDaysAfterUpgrade` days); a floor
 * at or below the current tier is recorded as 'ops-floor-set' and changes nothing else. A floor lower
 * than the previous one replaces it. Setting the same floor again decides nothing.
 */
export const decideTierFloor = (state: MemberState, command: TierFloorCommand, asOf: string, rules: TierRules): TierFloorDecision => {
  const ladder = tierLadder(rules);
  const floor = rankOf(ladder, command.tier);
  if (floor < 0) {
    return {
      ok: false,
      code: 'UNKNOWN_TIER',
      message: `no tier ${command.tier} in the program`,
      tier: command.tier,
      knownTiers: ladder.map((t) => t.name),
    };
  }
  const raises = floor > rankOf(ladder, state.tier);
  const to = raises ? command.tier : state.tier;
  const decided = { ok: true as const, tier: to, floor: command.tier, actor: command.actor, note: command.reason };
  if (!raises && state.tierFloor === command.tier) return { ...decided, events: [] };
  const event = tierChanged(state.memberId, asOf, {
    from: state.tier,
    to,
    qualifyingPoints: qualifyingPoints(state, asOf, rules.tierWindow),
    reason: raises ? 'ops-floor' : 'ops-floor-set',
    floor: command.tier,
    actor: command.actor,
    note: command.reason,
  });
  return { ...decided, events: [event] };
};
