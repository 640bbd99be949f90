import { GENESIS_HASH, storedHashSql } from '../hashing/event-hash';
import { SqlParams, membersInScopeSql, recordedInScopeSql } from '../read/ledger-scope';
import { AuditCheck, AuditViolation, AuditViolationKind, CheckContext, CheckFindings } from './audit-check';

const GENESIS_SQL = `'\\x${GENESIS_HASH}'::bytea`;

/**
 * Every event of a chunk of members in chain order, judged: `gap` when its version does not
 * follow the one before (an event was removed; the first must be 1), `altered` when its stored hash
 * is not the hash of the stored row and the stored hash before it, `head` when it is a member's
 * last event and the balance row was not written at it. An event after a gap is not also called
 * altered: the hash it chains from was removed with the gap. Each event chains from the stored
 * hash before it, not a recomputed one, so an altered event is one violation, not one per event after it.
 * With a time range, only the events recorded in it are judged (and hashed), each against the
 * stored event before it whenever that was recorded; heads are judged for every member in scope.
 */
const judgedSql = (members: string, inRange: string) => `
  WITH chain AS (
    SELECT e.member_id, e.position, e.version, e.hash, ${inRange} AS in_range,
           lag(e.version) OVER w AS previous_version,
           lead(e.version) OVER w IS NULL AS last,
           CASE WHEN ${inRange} THEN e.hash = ${storedHashSql(`coalesce(lag(e.hash) OVER w, ${GENESIS_SQL})`)} END AS intact
      FROM ledger_events e
     WHERE ${members}
    WINDOW w AS (PARTITION BY e.member_id ORDER BY e.version)
  ),
  judged AS (
    SELECT c.member_id, c.position, c.version, c.in_range, c.previous_version IS NULL AS first,
           c.in_range AND c.version <> coalesce(c.previous_version, 0) + 1 AS gap,
           c.in_range AND c.version = coalesce(c.previous_version, 0) + 1 AND NOT c.intact AS altered,
           c.last AND (m.version IS DISTINCT FROM c.version OR m.last_hash IS DISTINCT FROM c.hash) AS head
      FROM chain c LEFT JOIN member_state m ON c.last AND m.member_id = c.member_id
  )`;

/** One pass over a chunk: what it read, and how many events break each way. */
const countsSql = (judged: string) => `${judged}
  SELECT count(*) FILTER (WHERE in_range)::bigint AS events, count(*) FILTER (WHERE first)::bigint AS members,
         count(*) FILTER (WHERE gap)::bigint AS gaps, count(*) FILTER (WHERE altered)::bigint AS altered,
         count(*) FILTER (WHERE head)::bigint AS heads
    FROM judged`;

/** The first broken events of a chunk by position, asked only of a chunk that has any. */
const brokenSql = (judged: string, limit: string) => `${judged}
  SELECT member_id, position::text AS position, version, gap, altered, head FROM judged
   WHERE gap OR altered OR head ORDER BY position LIMIT ${limit}`;

interface Counts {
  events: string;
  members: string;
  gaps: string;
  altered: string;
  heads: string;
}

interface BrokenEvent {
  member_id: string;
  position: string;
  version: number;
  gap: boolean;
  altered: boolean;
  head: boolean;
}

const BREAKS: [keyof Pick<BrokenEvent, 'gap' | 'altered' | 'head'>, AuditViolationKind, string][] = [
  ['gap', 'version_gap', 'the version does not follow the previous one: an event was removed or inserted'],
  ['altered', 'hash_mismatch', 'the stored event does not match its hash: it, or the one before it, was altered'],
  ['head', 'head_mismatch', "the member's last event is not the head its balance row was written at: events were removed"],
];

/** The judged chunk's SQL and its parameters, with the limit last when asked for. */
const chunkQuery = (context: CheckContext, of: (judged: string, limit: string) => string, limit?: number): { sql: string; values: unknown[] } => {
  const params = new SqlParams();
  const members = membersInScopeSql('e.member_id', context.scope, params, context.chunk);
  const inRange = recordedInScopeSql('e.recorded_at', context.scope, params);
  const judged = judgedSql(members, inRange);
  const sql = of(judged, limit === undefined ? '' : params.add(limit));
  return { sql, values: params.values };
};

const violationsOf = (event: BrokenEvent): AuditViolation[] =>
  BREAKS.filter(([flag]) => event[flag]).map(([, kind, message]) => ({
    kind,
    memberId: event.member_id,
    position: event.position,
    version: event.version,
    message,
  }));

/**
 * Every member's hash chain and version sequence, and that each balance row sits at its chain's
 * head. The hashing runs inside PostgreSQL, a chunk of members per query; a chunk is read again
 * for its first broken events only when it has any, so a sound ledger is read once.
 */
export const chainCheck: AuditCheck = {
  kinds: ['version_gap', 'hash_mismatch', 'head_mismatch'],
  runs: 'chunks',
  order: (a, b) => (BigInt(a.position ?? 0) < BigInt(b.position ?? 0) ? -1 : a.position === b.position ? 0 : 1),
  run: async (context): Promise<CheckFindings> => {
    const counts = chunkQuery(context, countsSql);
    const [counted]: Counts[] = await context.dataSource.query(counts.sql, counts.values);
    const broken = Number(counted.gaps) + Number(counted.altered) + Number(counted.heads);
    const first = chunkQuery(context, brokenSql, context.limit);
    const rows: BrokenEvent[] = broken === 0 ? [] : await context.dataSource.query(first.sql, first.values);
    return {
      counts: { version_gap: Number(counted.gaps), hash_mismatch: Number(counted.altered), head_mismatch: Number(counted.heads) },
      violations: rows.flatMap(violationsOf).slice(0, context.limit),
      checked: { events: Number(counted.events), members: Number(counted.members) },
    };
  },
};
