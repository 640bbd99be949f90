export * from './adjust/adjust.decider';
