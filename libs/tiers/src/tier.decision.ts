import { Append, NewLedgerEvent, Skip, TierName, appendOrSkip } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';

/** What a tier evaluation reports (and the ledger keeps as its causation's answer). */
export interface TierOutcome {
  memberId: string;
  from: TierName;
  /** The tier once the events are applied. */
  to: TierName;
  qualifyingPoints: number;
  changed: boolean;
  /** Set when a downgrade was due but the last upgrade protects the tier until then. */
  protectedUntil?: string;
}

/**
 * A tier evaluation never refuses: it changes the tier, or there is nothing to do (not recorded, so
 * the next trigger decides again on the state it then finds).
 */
export type TierDecision = Append<TierOutcome> | Skip<TierOutcome>;

export const tierDecision = (
  state: MemberState,
  qualifyingPoints: number,
  events: NewLedgerEvent[],
  to: TierName = state.tier,
  protectedUntil?: string,
): TierDecision =>
  appendOrSkip(events, {
    memberId: state.memberId,
    from: state.tier,
    to,
    qualifyingPoints,
    changed: events.length > 0,
    ...(protectedUntil !== undefined ? { protectedUntil } : {}),
  });
