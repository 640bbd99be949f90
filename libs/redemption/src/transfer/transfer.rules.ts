import { TierName } from '@tally/contracts';
import { TransferRule } from '@tally/program';

/** The slices of the program a transfer is decided by (the loaded program satisfies it structurally). */
export interface TransferRules {
  transfers: TransferRule;
  tiers: readonly { name: TierName; threshold: number }[];
}
