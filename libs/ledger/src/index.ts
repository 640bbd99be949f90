export * from './database/data-source';
export * from './hashing/event-hash';
export * from './append/ledger-command';
export * from './append/ledger.store';
export * from './append/projection-rows';
