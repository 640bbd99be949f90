import { LedgerEventDataMap, LedgerEventType, NewLedgerEvent } from '@tally/contracts';

export const ledgerEvent = <K extends LedgerEventType>(type: K, memberId: string, occurredAt: string, data: LedgerEventDataMap[K]): NewLedgerEvent =>
  ({ type, memberId, occurredAt, data }) as NewLedgerEvent;
