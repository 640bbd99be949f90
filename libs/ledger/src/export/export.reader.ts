import { LedgerEventType } from '@tally/contracts';
import { Query } from '../database/query';
import { GENESIS_HASH } from '../hashing/event-hash';
import { EVENT_LAYOUTS, decodeEventData } from '../storage/event-codec';
import { ExportedEvent } from './exported-event';

/** What to export: one member, one store, or the whole ledger, optionally within [from, to) of `recordedAt`. */
export interface ExportFilter {
  memberId?: string;
  storeId?: string;
  from?: string;
  to?: string;
}

export const EXPORT_PAGE = 2000;

/**
 * Events that name a store: for each layout holding `storeId`, its place in the stored array. A
 * store export compares the stored value in place, without expanding every event.
 */
const storeClause = (param: string): string => {
  const cases = (Object.keys(EVENT_LAYOUTS) as LedgerEventType[])
    .map((type) => [type, (EVENT_LAYOUTS[type] as readonly string[]).indexOf('storeId')] as const)
    .filter(([, index]) => index >= 0)
    .map(([type, index]) => `(e.type = '${type}' AND e.data->>${index} = ${param})`);
  return `(${cases.join(' OR ')})`;
};

const conditions = (filter: ExportFilter, params: unknown[]): string[] => {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.memberId !== undefined) add((p) => `e.member_id = ${p}`, filter.memberId);
  if (filter.storeId !== undefined) add(storeClause, filter.storeId);
  if (filter.from !== undefined) add((p) => `e.recorded_at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `e.recorded_at < ${p}`, filter.to);
  return where;
};

interface Row {
  position: string;
  member_id: string;
  version: number;
  event_id: string;
  type: LedgerEventType;
  occurred_ms: string;
  recorded_ms: string;
  causation_id: string;
  data_text: string;
  hash: string;
  prev_hash: string | null;
}

const pageSql = (where: string[], cursorParam: string, limitParam: string): string => `
  SELECT e.position::text AS position, e.member_id, e.version, e.event_id::text AS event_id, e.type,
         (extract(epoch FROM e.occurred_at) * 1000)::bigint::text AS occurred_ms,
         (extract(epoch FROM e.recorded_at) * 1000)::bigint::text AS recorded_ms,
         e.causation_id, e.data::text AS data_text, encode(e.hash, 'hex') AS hash,
         (SELECT encode(p.hash, 'hex') FROM ledger_events p WHERE p.member_id = e.member_id AND p.version = e.version - 1) AS prev_hash
    FROM ledger_events e
   WHERE ${[`e.position > ${cursorParam}`, ...where].join(' AND ')}
   ORDER BY e.position
   LIMIT ${limitParam}`;

const toExported = (row: Row): ExportedEvent => ({
  position: row.position,
  memberId: row.member_id,
  version: row.version,
  eventId: row.event_id,
  type: row.type,
  occurredAt: new Date(Number(row.occurred_ms)).toISOString(),
  recordedAt: new Date(Number(row.recorded_ms)).toISOString(),
  causationId: row.causation_id,
  dataText: row.data_text,
  prevHash: row.prev_hash ?? GENESIS_HASH,
  hash: row.hash,
});

/** The stored data decoded for people (JSON Lines carry it beside the exact text). */
export const decodedData = (event: ExportedEvent): unknown => decodeEventData(event.type as LedgerEventType, JSON.parse(event.dataText) as unknown[]);

/**
 * The matching events in position order, a page at a time from a keyset cursor: memory stays one
 * page whatever the ledger's size, and no transaction is held open between pages. Positions are
 * committed in order (the log's readers rely on it), so a page never skips a later commit.
 */
export async function* exportEvents(query: Query, filter: ExportFilter, pageSize = EXPORT_PAGE): AsyncGenerator<ExportedEvent> {
  const params: unknown[] = [];
  const where = conditions(filter, params);
  const sql = pageSql(where, `$${params.length + 1}`, `$${params.length + 2}`);
  let cursor = '0';
  for (;;) {
    const rows = (await query(sql, [...params, cursor, pageSize])) as Row[];
    for (const row of rows) yield toExported(row);
    if (rows.length < pageSize) return;
    cursor = rows[rows.length - 1].position;
  }
}
