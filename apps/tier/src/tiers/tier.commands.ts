import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand } from '@tally/ledger';
import { MemberState, initialMemberState } from '@tally/member-ledger';
import { TierDecision, TierFloorCommand, TierRules, decideDailyEvaluation, decideTierFloor, decideUpgrade } from '@tally/tiers';
import { DAILY_SCOPE, FLOOR_SCOPE, UPGRADE_SCOPE } from './tier.tokens';

/** What a tier command reports (and the causation table keeps). */
export interface TierOutcome {
  memberId: string;
  from: string;
  to: string;
  qualifyingPoints: number;
  changed: boolean;
  protectedUntil?: string;
}

const stateOf = (states: Readonly<Record<string, MemberState>>, memberId: string): MemberState =>
  states[memberId] ?? initialMemberState(memberId);

const outcomeOf = (state: MemberState, decision: TierDecision): TierOutcome => ({
  memberId: state.memberId,
  from: state.tier,
  to: decision.tier,
  qualifyingPoints: decision.qualifyingPoints,
  changed: decision.events.length > 0,
  ...(decision.protectedUntil ? { protectedUntil: decision.protectedUntil } : {}),
});

/** Nothing to change is not recorded: the next trigger re-decides on the state it then finds. */
const toOutcome = (events: NewLedgerEvent[], result: TierOutcome) =>
  events.length > 0 ? { kind: 'append' as const, events, result } : { kind: 'skip' as const, result };

/** The UTC day of an instant: the daily evaluation runs once per member and day. */
export const evaluationDay = (asOf: string): string => new Date(asOf).toISOString().slice(0, 10);

/**
 * Upgrade check after a ledger event that moved qualifying points: keyed by the triggering event
 * (`<memberId>@<version>`) so a redelivered event decides nothing twice.
 */
export const upgradeCommand = (memberId: string, triggerVersion: number, asOf: string, rules: TierRules): LedgerCommand<TierOutcome> => ({
  scope: UPGRADE_SCOPE,
  causationId: `${memberId}@${triggerVersion}`,
  memberIds: [memberId],
  decide: (states) => {
    const state = stateOf(states, memberId);
    const decision = decideUpgrade(state, asOf, rules);
    return toOutcome(decision.events, outcomeOf(state, decision));
  },
});

export const dailyEvaluationCommand = (memberId: string, asOf: string, rules: TierRules): LedgerCommand<TierOutcome> => ({
  scope: DAILY_SCOPE,
  causationId: `daily@${evaluationDay(asOf)}@${memberId}`,
  memberIds: [memberId],
  decide: (states) => {
    const state = stateOf(states, memberId);
    const decision = decideDailyEvaluation(state, asOf, rules);
    return toOutcome(decision.events, outcomeOf(state, decision));
  },
});

export type FloorOutcome =
  | { status: 'unknown-member'; memberId: string }
  | { status: 'unknown-tier'; memberId: string; tier: string; knownTiers: string[]; message: string }
  | { status: 'set'; memberId: string; from: string; tier: string; floor: string; changed: boolean; actor: string; note: string };

/** Ops sets a floor; the event and the stored reply both name the actor and their note. */
export const tierFloorCommand = (
  memberId: string,
  command: TierFloorCommand,
  requestId: string,
  asOf: string,
  rules: TierRules,
): LedgerCommand<FloorOutcome> => ({
  scope: FLOOR_SCOPE,
  causationId: requestId,
  memberIds: [memberId],
  decide: (states) => {
    const state = stateOf(states, memberId);
    if (state.version === 0) return { kind: 'skip', result: { status: 'unknown-member', memberId } };
    const decision = decideTierFloor(state, command, asOf, rules);
    if (!decision.ok) {
      return { kind: 'skip', result: { status: 'unknown-tier', memberId, tier: decision.tier, knownTiers: decision.knownTiers, message: decision.message } };
    }
    const result: FloorOutcome = {
      status: 'set',
      memberId,
      from: state.tier,
      tier: decision.tier,
      floor: decision.floor,
      changed: decision.tier !== state.tier,
      actor: decision.actor,
      note: decision.note,
    };
    return decision.events.length > 0 ? { kind: 'append', events: decision.events, result } : { kind: 'skip', result };
  },
});
