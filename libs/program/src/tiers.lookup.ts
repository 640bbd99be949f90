import { Program, TierRule } from './program.types';

export const tierByName = (program: Program, name: string): TierRule | undefined => program.tiers.find((tier) => tier.name === name);

/** Position from the lowest tier (0); -1 for a name the program does not define. */
export const tierRank = (program: Program, name: string): number => program.tiers.findIndex((tier) => tier.name === name);

export const lowestTier = (program: Program): TierRule => program.tiers[0];

/** The highest tier whose threshold the qualifying points reach. */
export const tierForQualifyingPoints = (program: Program, points: number): TierRule =>
  program.tiers.reduce((reached, tier) => (points >= tier.threshold ? tier : reached), lowestTier(program));
