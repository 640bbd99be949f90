import { LedgerEvent } from './ledger-events';

/** The value relayed to `loyalty.ledger.v1`: the event as stored, minus nothing but `prevHash`. */
export type LedgerEventMessage = Omit<LedgerEvent, 'prevHash'>;
