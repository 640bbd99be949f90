import { utcDay } from '@tally/contracts';
import { LedgerCommand } from '@tally/ledger';
import { FloorOutcome, TierFloorCommand, TierOutcome, TierRules, decideDailyEvaluation, decideTierFloor, decideUpgrade } from '@tally/tiers';
import { DAILY_SCOPE, FLOOR_SCOPE, UPGRADE_SCOPE } from './tier.tokens';

/** The UTC day of an instant: the daily evaluation runs once per member and day. */
export const evaluationDay = (asOf: string): string => utcDay(asOf);

/**
 * Upgrade check after a ledger event that moved qualifying points: keyed by the triggering event
 * (`<memberId>@<version>`) so a redelivered event decides nothing twice.
 */
export const upgradeCommand = (memberId: string, triggerVersion: number, asOf: string, rules: TierRules): LedgerCommand<TierOutcome> => ({
  scope: UPGRADE_SCOPE,
  causationId: `${memberId}@${triggerVersion}`,
  memberIds: [memberId],
  decide: (states) => decideUpgrade(states[memberId], asOf, rules),
});

export const dailyEvaluationCommand = (memberId: string, asOf: string, rules: TierRules): LedgerCommand<TierOutcome> => ({
  scope: DAILY_SCOPE,
  causationId: `daily@${evaluationDay(asOf)}@${memberId}`,
  memberIds: [memberId],
  decide: (states) => decideDailyEvaluation(states[memberId], asOf, rules),
});

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
  decide: (states) => decideTierFloor(states[memberId], command, asOf, rules),
});
