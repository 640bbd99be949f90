import { LedgerEvent } from '@tally/contracts';

export interface StoredEventRow {
  position: string;
  member_id: string;
  version: number;
  event_id: string;
  type: string;
  data: unknown;
  occurred_at: Date;
  recorded_at: Date;
  causation_id: string;
  prev_hash: Buffer;
  hash: Buffer;
}

export const EVENT_COLUMNS =
  'position, member_id, version, event_id, type, data, occurred_at, recorded_at, causation_id, prev_hash, hash';

export const toLedgerEvent = (row: StoredEventRow): LedgerEvent =>
  ({
    position: String(row.position),
    memberId: row.member_id,
    version: row.version,
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    causationId: row.causation_id,
    prevHash: row.prev_hash.toString('hex'),
    hash: row.hash.toString('hex'),
  }) as LedgerEvent;
