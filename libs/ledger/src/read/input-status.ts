import { DataSource } from 'typeorm';

/** An input a branch uploaded: the store that sent it and the members it names (where its answer is). */
export interface UploadedInput {
  scope: string;
  eventId: string;
  /** Null for an upload by a token of no store (ops). */
  storeId: string | null;
  memberIds: string[];
}

/** An event an input appended, as its status lists it. */
export interface AppliedEvent {
  memberId: string;
  version: number;
  type: string;
  points?: number;
}

/** What became of an uploaded input, from the tables each outcome is kept in. */
export type InputStatus =
  | { eventId: string; topic: string; status: 'applied'; points: number; events: AppliedEvent[] }
  | { eventId: string; topic: string; status: 'refused'; code: string; message: string; final: boolean }
  | { eventId: string; topic: string; status: 'parked'; parkedAt: string }
  | { eventId: string; topic: string; status: 'dead-lettered'; reason: string; message: string }
  | { eventId: string; topic: string; status: 'pending' }
  | { eventId: string; status: 'unknown' };

const RECORD = `INSERT INTO ingest_uploads (scope, event_id, store_id, member_ids, uploaded_at)
  SELECT u.scope, u.event_id, u.store_id, ARRAY(SELECT json_array_elements_text(u.members)), $5::timestamptz
    FROM unnest($1::text[], $2::text[], $3::text[], $4::json[]) AS u(scope, event_id, store_id, members)
  ON CONFLICT (scope, event_id) DO NOTHING`;

/**
 * Per uploaded input of these ids (of this store, or of any for `$2` null): its causation, its
 * latest refusal, its parked row and its latest dead letter, each through a key of its table (the
 * members' keys for events and refusals).
 */
const LOOKUP = `SELECT u.scope, u.event_id, c.outcome, r.code, r.message, r.final, p.parked_at, d.reason AS letter_reason, d.message AS letter_message,
         (SELECT json_agg(json_build_object('memberId', e.member_id, 'version', e.version, 'type', e.type, 'points', e.data->'points') ORDER BY e.member_id, e.version)
            FROM ledger_events_expanded e WHERE e.member_id = ANY(u.member_ids) AND e.causation_id = u.event_id) AS events
    FROM unnest($1::text[]) WITH ORDINALITY AS k(event_id, n)
    JOIN ingest_uploads u ON u.event_id = k.event_id AND ($2::text IS NULL OR u.store_id = $2)
    LEFT JOIN causations c ON c.scope = u.scope AND c.causation_id = u.event_id
    LEFT JOIN LATERAL (SELECT code, message, final FROM rejections
                        WHERE member_id = ANY(u.member_ids) AND scope = u.scope AND causation_id = u.event_id ORDER BY id DESC LIMIT 1) r ON true
    LEFT JOIN parked_inputs p ON p.scope = u.scope AND p.causation_id = u.event_id
    LEFT JOIN LATERAL (SELECT reason, message FROM dead_letters
                        WHERE source_topic = u.scope AND event_id = u.event_id ORDER BY id DESC LIMIT 1) d ON true
   ORDER BY k.n, u.scope`;

interface Row {
  scope: string;
  event_id: string;
  outcome: string | null;
  code: string | null;
  message: string | null;
  final: boolean | null;
  parked_at: Date | null;
  letter_reason: string | null;
  letter_message: string | null;
  events: { memberId: string; version: number; type: string; points: number | null }[] | null;
}

/** The status of one uploaded input from its row: the ledger's answer first, then what waits or failed. */
const statusOf = (row: Row): InputStatus => {
  const base = { eventId: row.event_id, topic: row.scope };
  if (row.outcome === 'appended') {
    const events = (row.events ?? []).map(({ points, ...event }): AppliedEvent => (typeof points === 'number' ? { ...event, points } : event));
    const points = events.reduce((sum, e) => sum + (e.type === 'points.earned' ? (e.points ?? 0) : 0), 0);
    return { ...base, status: 'applied', points, events };
  }
  if (row.code !== null) return { ...base, status: 'refused', code: row.code, message: row.message ?? '', final: row.final !== false };
  if (row.parked_at !== null) return { ...base, status: 'parked', parkedAt: row.parked_at.toISOString() };
  if (row.letter_reason !== null) return { ...base, status: 'dead-lettered', reason: row.letter_reason, message: row.letter_message ?? '' };
  return { ...base, status: 'pending' };
};

/** Which store uploaded which input, and what became of each: a branch's view of its uploads. */
export class InputStatuses {
  constructor(private readonly dataSource: DataSource) {}

  /** Records an upload's valid inputs; an input uploaded before keeps its first store. */
  async recordUploads(inputs: readonly UploadedInput[], at: Date): Promise<void> {
    if (inputs.length === 0) return;
    await this.dataSource.query(RECORD, [
      inputs.map((i) => i.scope),
      inputs.map((i) => i.eventId),
      inputs.map((i) => i.storeId),
      inputs.map((i) => JSON.stringify(i.memberIds)),
      at,
    ]);
  }

  /**
   * The status of each input with one of these ids that `storeId` uploaded (any store's for
   * undefined), in the order asked: `unknown` for an id it did not upload, so a store learns
   * nothing of another's inputs.
   */
  async lookup(eventIds: readonly string[], storeId: string | undefined): Promise<InputStatus[]> {
    const rows: Row[] = await this.dataSource.query(LOOKUP, [[...new Set(eventIds)], storeId ?? null]);
    const found = new Map<string, InputStatus[]>();
    for (const row of rows) found.set(row.event_id, [...(found.get(row.event_id) ?? []), statusOf(row)]);
    const seen = new Set<string>();
    return eventIds.flatMap((eventId) => {
      if (seen.has(eventId)) return [];
      seen.add(eventId);
      return found.get(eventId) ?? [{ eventId, status: 'unknown' as const }];
    });
  }
}
