import { Append, Skip, TierName, appendEvents, nothingToDo } from '@tally/contracts';
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

/** What setting a floor answers (and the ledger keeps as the request's answer). */
export type FloorOutcome =
  | { status: 'unknown-member'; memberId: string }
  | { status: 'unknown-tier'; memberId: string; tier: string; knownTiers: string[]; message: string }
  | { status: 'set'; memberId: string; from: string; tier: string; floor: string; changed: boolean; actor: string; note: string };

/**
 * A floor for a member never seen, or a tier the program does not define, is answered but not
 * recorded (nothing to do): the same request id may be sent again once it makes sense.
 */
export type TierFloorDecision = Append<FloorOutcome> | Skip<FloorOutcome>;

/**
 * Ops sets a floor: the member is raised to it at once if below it, and the daily evaluation never
 * goes under it. The event's reason is 'ops-floor' only when it raises the tier (the member ledger
 * counts that reason as an upgrade, which protects the tier for `downgrade.minDaysAfterUpgrade` days); a floor
 * at or below the current tier is recorded as 'ops-floor-set' and changes nothing else. A floor lower
 * than the previous one replaces it. Setting the same floor again decides nothing.
 */
export const decideTierFloor = (state: MemberState, command: TierFloorCommand, asOf: string, rules: TierRules): TierFloorDecision => {
  const { memberId } = state;
  if (state.version === 0) return nothingToDo({ status: 'unknown-member', memberId });
  const ladder = tierLadder(rules);
  const floor = rankOf(ladder, command.tier);
  if (floor < 0) {
    const knownTiers = ladder.map((t) => t.name);
    return nothingToDo({ status: 'unknown-tier', memberId, tier: command.tier, knownTiers, message: `no tier ${command.tier} in the program` });
  }
  const raises = floor > rankOf(ladder, state.tier);
  const to = raises ? command.tier : state.tier;
  const outcome: FloorOutcome = {
    status: 'set',
    memberId,
    from: state.tier,
    tier: to,
    floor: command.tier,
    changed: to !== state.tier,
    actor: command.actor,
    note: command.reason,
  };
  if (!raises && state.tierFloor === command.tier) return nothingToDo(outcome);
  const event = tierChanged(memberId, asOf, {
    from: state.tier,
    to,
    qualifyingPoints: qualifyingPoints(state, asOf, rules.tierWindow),
    reason: raises ? 'ops-floor' : 'ops-floor-set',
    floor: command.tier,
    actor: command.actor,
    note: command.reason,
  });
  return appendEvents([event], outcome);
};
