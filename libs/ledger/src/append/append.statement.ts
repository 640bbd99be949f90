import { MemberFold } from '@tally/member-ledger';
import { traceHeaders } from '@tally/platform';
import { LoadedMember } from '../state/member-state.cache';
import { SNAPSHOT_EVERY, SNAPSHOT_REVISION } from '../state/member-states';
import { dropOrders } from '../state/stored-orders';
import { StoredSnapshot, encodeSnapshot } from '../state/snapshot-codec';
import { Query } from '../database/query';
import { storedInstantText } from '../storage/epoch-iso';
import { Decided, orderKey } from './batch-decision';
import { StoreHourCount } from './ledger-command';
import { BulkColumn, BulkParams, textArray } from './bulk-params';
import { LIVE_TABLES, changedRows, projectionSql } from './projection-rows';

/** Snapshots due for the members this batch moved on: the newest state, every `SNAPSHOT_EVERY` versions. */
const dueSnapshots = (members: Map<string, LoadedMember>, touched: Set<string>) => {
  const rows: { member_id: string; version: number; revision: number; state: StoredSnapshot }[] = [];
  for (const memberId of touched) {
    const entry = members.get(memberId) as LoadedMember;
    if (entry.state.version - entry.snapshotVersion < SNAPSHOT_EVERY) continue;
    rows.push({ member_id: memberId, version: entry.state.version, revision: SNAPSHOT_REVISION, state: encodeSnapshot(entry.state) });
    members.set(memberId, { ...entry, snapshotVersion: entry.state.version });
  }
  return rows;
};

const LIVE_SQL = projectionSql(LIVE_TABLES);

const EVENT_COLUMNS: BulkColumn[] = [
  { name: 'memberId', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'eventId', type: 'uuid' },
  { name: 'type', type: 'text' },
  { name: 'dataText', type: 'json' },
  { name: 'occurredAt', type: 'timestamptz' },
  { name: 'causationId', type: 'text' },
  { name: 'hash', type: 'bytea' },
];
const CAUSATION_COLUMNS: BulkColumn[] = [
  { name: 'scope', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'outcome', type: 'text' },
  { name: 'fingerprint', type: 'text' },
  { name: 'result', type: 'jsonb', jsonValue: true },
  { name: 'memberVersion', type: 'int' },
];
const REJECTION_COLUMNS: BulkColumn[] = [
  { name: 'scope', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'memberId', type: 'text' },
  // A list per row: unnest flattens a two-dimensional array, so each row's list travels as JSON.
  { name: 'relatedMemberIds', type: 'jsonb', jsonValue: true },
  { name: 'code', type: 'text' },
  { name: 'message', type: 'text' },
  { name: 'occurredAt', type: 'timestamptz' },
  { name: 'input', type: 'jsonb', jsonValue: true },
  { name: 'memberVersion', type: 'int' },
  { name: 'final', type: 'boolean' },
];
const COUNT_COLUMNS: BulkColumn[] = [
  { name: 'storeId', type: 'text' },
  { name: 'period', type: 'text' },
  { name: 'points', type: 'bigint' },
];
const BASE_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'version', type: 'int' },
];
const SNAPSHOT_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'revision', type: 'int' },
  { name: 'state', type: 'json', jsonValue: true },
];

/**
 * Everything a batch writes, in one statement of data-modifying CTEs: one round trip instead of
 * ten whatever the batch holds (an empty list inserts nothing). The tables are distinct, and the
 * lot and hold rows deleted are never those upserted, so no row is touched twice. It answers
 * with one row, a count: a row per event would be parsed into objects that a call in flight keeps
 * alive, for positions no caller reads.
 */
export const writeBatch = async <R>(query: Query, decided: Decided<R>, generation: string | undefined): Promise<Map<string, number>> => {
  const counts = storeHourRows(decided.counts);
  const { sql, values } = batchStatement(decided, generation, counts);
  // The rows are in the parameters now. Let go while the statement runs (tens of milliseconds for a
  // large batch): whatever is still referenced then is copied by every scavenge that comes meanwhile.
  decided.events = [];
  decided.causations = [];
  decided.rejections = [];
  decided.unrecorded = [];
  decided.counts = [];
  decided.folds.clear();
  // A batch that counts nothing runs the statement without the counting CTE: not one step more.
  if (counts.length === 0) {
    await query(sql, values, 'tally_append_batch');
    return new Map();
  }
  const [row] = await query(sql, values, 'tally_append_batch_counted');
  return new Map((row.counted as [string, string, number][]).map(([storeId, period, points]) => [`${storeId}\u0000${period}`, Number(points)]));
};

/**
 * The counts summed per store-hour, in key order: every writer locks the rows it adds to in the
 * same order (after its members, which all lock first), so two appends never deadlock on them.
 */
const storeHourRows = (counts: readonly StoreHourCount[]): StoreHourCount[] => {
  const sums = new Map<string, StoreHourCount>();
  for (const count of counts) {
    if (count.points === 0) continue;
    const key = `${count.storeId}\u0000${count.period}`;
    const sum = sums.get(key);
    if (sum) sum.points += count.points;
    else sums.set(key, { ...count });
  }
  return [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sum]) => sum);
};

/** The batch's one statement and its parameters (see `writeBatch`). */
const batchStatement = <R>(decided: Decided<R>, generation: string | undefined, counts: StoreHourCount[]): { sql: string; values: unknown[] } => {
  const p = changedRows(
    [...decided.touched].map((id) => {
      const { changedLots, changedHolds, changedOrders } = decided.folds.get(id) as MemberFold;
      const { state, lastHash } = decided.members.get(id) as LoadedMember;
      return { state, lastHash, changedLots, changedHolds, changedOrders };
    }),
  );
  // Orders were loaded for this decision only: none is kept in a cached state or a snapshot.
  dropOrders(decided.members.values());
  const snapshots = dueSnapshots(decided.members, decided.touched);
  const bulk = new BulkParams();
  const recordedAt = bulk.value(storedInstantText(decided.recordedAt));
  const stored = (row: Record<string, unknown>) => decided.storedOrders.has(orderKey(row.member_id as string, row.order_id as string));
  const opened = (row: Record<string, unknown>) => decided.openedLots.has(row.lot_id as string);
  const bases = [...decided.bases].map(([member_id, version]) => ({ member_id, version })).sort((a, b) => (a.member_id < b.member_id ? -1 : 1));
  const claims = bases.filter((b) => b.version === 0 && !decided.touched.has(b.member_id)).map((b) => b.member_id);
  const sql =
    // Every member the batch decided on, whether it appends, refuses or skips, is locked and
    // checked before anything is written: a decision rests on the head or is not recorded. The
    // rows are locked one index lookup each in id order: an append decided under locks took them
    // in the same order, so the two never deadlock. (A join against a CTE of the rows instead went
    // quadratic on large batches; a lateral lookup is one the planner cannot turn into a scan.)
    // Members decided on without a head and not created here have no row to lock: they are
    // claimed (see the migration that made tally_claim_new_members), after the row locks.
    `WITH heads AS MATERIALIZED (
       SELECT b.member_id, b.version AS decided, coalesce(m.version, 0) AS head
         FROM ${bulk.unnest(bases, BASE_COLUMNS, 'b')}
         LEFT JOIN LATERAL (SELECT s.version FROM member_state s WHERE s.member_id = b.member_id FOR UPDATE) m ON true
     ),
     checked AS (
       SELECT tally_assert(
                coalesce(bool_and(h.head = h.decided), true)
                AND (SELECT generation::text FROM projection_generation) = coalesce(${bulk.value(generation ?? null)}, (SELECT generation::text FROM projection_generation))
                AND tally_claim_new_members(${bulk.value(textArray(claims))}::text[])
                AND tally_unanswered(${bulk.value(textArray(decided.unrecorded.map((k) => k.scope)))}::text[], ${bulk.value(textArray(decided.unrecorded.map((k) => k.id)))}::text[]),
                'a member moved on, a causation taken for unanswered has an answer, or projections were swapped, since the decision') AS ok
         FROM heads h
     ),
     inserted AS (
       INSERT INTO ledger_events (member_id, version, event_id, type, data, occurred_at, recorded_at, causation_id, hash)
       SELECT "memberId", version, "eventId", type, "dataText", "occurredAt", ${recordedAt}::timestamptz, "causationId", hash
         FROM ${bulk.unnest(decided.events, EVENT_COLUMNS)}
        WHERE (SELECT ok FROM checked)
       RETURNING position
     ),
     queued AS (
       INSERT INTO outbox (positions, trace_context)
       SELECT array_agg(position ORDER BY position), ${bulk.value(traceHeaders().traceparent ?? null)}::text FROM inserted HAVING count(*) > 0
     ),
     members AS (${LIVE_SQL.upsertMembers(bulk, p.members)}),
     gone_lots AS (${LIVE_SQL.deleteLots(bulk, p.goneLots)}),
     lots AS (${LIVE_SQL.upsertLots(
       bulk,
       p.lots.filter((row) => !opened(row)),
     )}),
     new_lots AS (${LIVE_SQL.insertLots(bulk, p.lots.filter(opened))}),
     gone_holds AS (${LIVE_SQL.deleteHolds(bulk, p.goneHolds)}),
     holds AS (${LIVE_SQL.upsertHolds(bulk, p.holds)}),
     orders AS (${LIVE_SQL.upsertOrders(bulk, p.orders.filter(stored))}),
     new_orders AS (${LIVE_SQL.insertOrders(
       bulk,
       p.orders.filter((row) => !stored(row)),
     )}),
     causes AS (
       INSERT INTO causations (scope, causation_id, outcome, fingerprint, result, recorded_at, member_version)
       SELECT scope, id, outcome, fingerprint, result, ${recordedAt}::timestamptz, "memberVersion" FROM ${bulk.unnest(decided.causations, CAUSATION_COLUMNS)}
     ),
     -- The head a refusal was recorded at, from the log itself (not the balance row the check
     -- read): the member's last committed version, unchanged since the statement began once its
     -- lock is held, plus what this batch appended to it before the refusal.
     refusals AS (
       INSERT INTO rejections (scope, causation_id, member_id, related_member_ids, code, message, occurred_at, recorded_at, input, member_version, head_version, final)
       SELECT r.scope, r.id, r."memberId", (SELECT array_agg(m) FROM jsonb_array_elements_text(r."relatedMemberIds") m), r.code, r.message, r."occurredAt", ${recordedAt}::timestamptz, r.input, r."memberVersion",
              coalesce((SELECT max(e.version) FROM ledger_events e WHERE e.member_id = r."memberId"), 0) + r."memberVersion" - h.decided, r.final
         FROM ${bulk.unnest(decided.rejections, REJECTION_COLUMNS, 'r')} LEFT JOIN heads h ON h.member_id = r."memberId"
     ),
     snapshots AS (
       INSERT INTO member_snapshots (member_id, version, revision, state) SELECT * FROM ${bulk.unnest(snapshots, SNAPSHOT_COLUMNS)}
       ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version, revision = EXCLUDED.revision, state = EXCLUDED.state
     )${counts.length === 0 ? '' : countedSql(bulk, counts)}
     SELECT count(*) AS appended${counts.length === 0 ? '' : COUNTED_TOTALS} FROM inserted`;
  return { sql, values: bulk.values };
};

/** The counted store-hours with the batch's points in them, as `[storeId, hour, points]`. */
const COUNTED_TOTALS = `, (SELECT coalesce(json_agg(json_build_array(store_id, hour, points)), '[]') FROM counted) AS counted`;

/**
 * The stores' hourly counts, added to in the append's own statement, after the check (a batch that
 * writes nothing counts nothing), and read back with the batch's points in them: the totals the
 * store-points rule compares with its maximum, each seen by exactly one append as it crosses it.
 */
const countedSql = (bulk: BulkParams, counts: StoreHourCount[]) => `,
     counted AS (
       INSERT INTO store_hour_points AS s (store_id, hour, points)
       SELECT c."storeId", c.period, c.points FROM ${bulk.unnest(counts, COUNT_COLUMNS, 'c')}
        WHERE (SELECT ok FROM checked)
       ON CONFLICT (store_id, hour) DO UPDATE SET points = s.points + excluded.points
       RETURNING store_id, hour, points
     )`;
