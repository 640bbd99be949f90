export * from './adjust/adjust.decider';
export * from './opening-balance/opening-balance.row';
export * from './opening-balance/opening-balance.decider';
