export * from './tier.rules';
export * from './tier.decision';
export { tierLadder, tierOrderOf, earnedTier } from './shared/tier-ladder';
export * from './qualifying/qualifying-points';
export * from './upgrade/upgrade.decider';
export * from './daily-evaluation/daily-evaluation.decider';
export * from './floor/tier-floor.decider';
