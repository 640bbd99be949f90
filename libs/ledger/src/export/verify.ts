// The ledger's offline verification, apart from the store: what a tool needs to check an export
// without loading the database layer (`@tally/ledger/verify`).
export type { HashHex, HashedFields } from '../hashing/event-hash';
export { GENESIS_HASH, eventHash, hashedText } from '../hashing/event-hash';
export type { ExportFormat, ExportedEvent } from './exported-event';
export { CSV_HEADER, EXPORT_FORMATS, exportLine, parseExportLine } from './exported-event';
export type { ChainBreak } from './chain-verifier';
export { ChainVerifier } from './chain-verifier';
