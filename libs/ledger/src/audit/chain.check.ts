import { DataSource } from 'typeorm';
import { GENESIS_HASH, storedHashSql } from '../hashing/event-hash';
import { MemberRange, boundsSql } from '../read/member-ranges';
import { AuditCheck, AuditViolation, AuditViolationKind, CheckFindings } from './audit-check';

const GENESIS_SQL = `'\\x${GENESIS_HASH}'::bytea`;

/**
 * Every event of a range of members in chain order, judged: `gap` when its version does not
 * follow the one before (an event was removed; the first must be 1), `altered` when its stored hash
 * is not the hash of the stored row and the stored hash before it, `head` when it is a member's
 * last event and the balance row was not written at it. An event after a gap is not also called
 * altered: the hash it chains from was removed with the gap. Each event chains from the stored
 * hash before it, not a recomputed one, so an altered event is one violation, not one per event after it.
 */
const JUDGED_SQL = `
  WITH chain AS (
    SELECT e.member_id, e.position, e.version, e.hash,
           lag(e.version) OVER w AS previous_version,
           lead(e.version) OVER w IS NULL AS last,
           e.hash = ${storedHashSql(`coalesce(lag(e.hash) OVER w, ${GENESIS_SQL})`)} AS intact
      FROM ledger_events e
     WHERE $RANGE
    WINDOW w AS (PARTITION BY e.member_id ORDER BY e.version)
  ),
  judged AS (
    SELECT c.member_id, c.position, c.version, c.previous_version IS NULL AS first,
           c.version <> coalesce(c.previous_version, 0) + 1 AS gap,
           c.version = coalesce(c.previous_version, 0) + 1 AND NOT c.intact AS altered,
           c.last AND (m.version IS DISTINCT FROM c.version OR m.last_hash IS DISTINCT FROM c.hash) AS head
      FROM chain c LEFT JOIN member_state m ON c.last AND m.member_id = c.member_id
  )`;

/** One pass over a range: what it read, and how many events break each way. */
const COUNTS_SQL = `${JUDGED_SQL}
  SELECT count(*)::bigint AS events, count(*) FILTER (WHERE first)::bigint AS members,
         count(*) FILTER (WHERE gap)::bigint AS gaps, count(*) FILTER (WHERE altered)::bigint AS altered,
         count(*) FILTER (WHERE head)::bigint AS heads
    FROM judged`;

/** The first broken events of a range by position, asked only of a range that has any. */
const BROKEN_SQL = `${JUDGED_SQL}
  SELECT member_id, position::text AS position, version, gap, altered, head FROM judged
   WHERE gap OR altered OR head ORDER BY position LIMIT $LIMIT`;

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

const rangeQuery = (sql: string, range: MemberRange, limit?: number): { sql: string; values: unknown[] } => {
  const bounds = boundsSql('e.member_id', range);
  const values: unknown[] = [...bounds.values, ...(limit === undefined ? [] : [limit])];
  return { sql: sql.replace('$RANGE', bounds.sql).replace('$LIMIT', `$${values.length}`), values };
};

const brokenIn = async (dataSource: DataSource, range: MemberRange, limit: number): Promise<BrokenEvent[]> => {
  const { sql, values } = rangeQuery(BROKEN_SQL, range, limit);
  return dataSource.query(sql, values);
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
 * head. The hashing runs inside PostgreSQL, over the member ranges in parallel; only ranges with
 * a break are read again for their first broken events, so a sound ledger is read once.
 */
export const chainCheck: AuditCheck = {
  kinds: ['version_gap', 'hash_mismatch', 'head_mismatch'],
  run: async ({ dataSource, ranges, limit }): Promise<CheckFindings> => {
    const counted: Counts[] = await Promise.all(
      ranges.map(async (range) => {
        const { sql, values } = rangeQuery(COUNTS_SQL, range);
        return (await dataSource.query(sql, values))[0];
      }),
    );
    const sum = (key: keyof Counts) => counted.reduce((total, c) => total + Number(c[key]), 0);
    const broken = (
      await Promise.all(
        ranges.map((range, i) =>
          Number(counted[i].gaps) + Number(counted[i].altered) + Number(counted[i].heads) > 0 ? brokenIn(dataSource, range, limit) : [],
        ),
      )
    ).flat();
    broken.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
    return {
      counts: { version_gap: sum('gaps'), hash_mismatch: sum('altered'), head_mismatch: sum('heads') },
      violations: broken.flatMap(violationsOf).slice(0, limit),
      checked: { events: sum('events'), members: sum('members') },
    };
  },
};
