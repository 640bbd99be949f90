import { NewLedgerEvent, TierName } from '@tally/contracts';

/** A tier evaluation never fails: it changes the tier or decides nothing. */
export interface TierDecision {
  ok: true;
  events: NewLedgerEvent[];
  /** The tier once the events are applied. */
  tier: TierName;
  /** The tier the qualifying points reach, before protections and floors. */
  earnedTier: TierName;
  qualifyingPoints: number;
  /** Set when a downgrade was due but the last upgrade protects the tier until then. */
  protectedUntil?: string;
}
