export * from './ledger.fixtures';
