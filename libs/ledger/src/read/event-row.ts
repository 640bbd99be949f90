import { LedgerEvent, LedgerEventType } from '@tally/contracts';
import { GENESIS_HASH } from '../hashing/event-hash';
import { decodeEventData } from '../storage/event-codec';

export interface StoredEventRow {
  position: string;
  member_id: string;
  version: number;
  event_id: string;
  type: LedgerEventType;
  data: unknown[];
  occurred_at: Date;
  recorded_at: Date;
  causation_id: string;
  prev_hash: Buffer | null;
  hash: Buffer;
}

/**
 * The columns of a stored event over `ledger_events e`, with the previous hash it was chained to:
 * the hash of the member's previous version (not stored twice).
 */
export const EVENT_COLUMNS = `e.position, e.member_id, e.version, e.event_id, e.type, e.data, e.occurred_at, e.recorded_at,
  e.causation_id, e.hash,
  (SELECT p.hash FROM ledger_events p WHERE p.member_id = e.member_id AND p.version = e.version - 1) AS prev_hash`;

export const toLedgerEvent = (row: StoredEventRow): LedgerEvent =>
  ({
    position: String(row.position),
    memberId: row.member_id,
    version: row.version,
    eventId: row.event_id,
    type: row.type,
    data: decodeEventData(row.type, row.data),
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    causationId: row.causation_id,
    prevHash: row.prev_hash ? row.prev_hash.toString('hex') : GENESIS_HASH,
    hash: row.hash.toString('hex'),
  }) as LedgerEvent;
