export * from './expire/expiry.decider';
export * from './remind/reminders.decider';
export * from './shared/expirable';
export * from './sweep/sweep.decider';
