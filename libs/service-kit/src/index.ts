export * from './service-kit';
export * from './ledger-follower';
