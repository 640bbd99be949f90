import { DataSource } from 'typeorm';
import { GENESIS_HASH, storedHashSql } from '../hashing/event-hash';
import { boundsSql, memberRanges } from '../read/member-ranges';
import { queryOf } from '../state/member-states';

export type AuditViolationKind = 'version_gap' | 'hash_mismatch' | 'head_mismatch' | 'projection_mismatch' | 'orphan_projection';

export interface AuditViolation {
  kind: AuditViolationKind;
  memberId: string;
  position?: string;
  version?: number;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  eventsChecked: number;
  members: number;
  ms: number;
  firstViolation?: AuditViolation;
}

export interface AuditOptions {
  clock?: () => number;
  /** Member ranges checked at once, each on its own connection (PostgreSQL does the hashing). */
  parallelism?: number;
}

const GENESIS_SQL = `'\\x${GENESIS_HASH}'::bytea`;

/**
 * One pass over a range of members' events in chain order: every hash recomputed from the stored
 * row and the hash before it, every version checked against its place, every chain's last event
 * checked against the member's head. Returns counts and the first position of each kind of break.
 */
const CHAIN_SQL = `
  WITH chain AS (
    SELECT e.member_id, e.position, e.version, e.hash,
           row_number() OVER w AS expected,
           lead(e.version) OVER w IS NULL AS last,
           e.hash = ${storedHashSql(`coalesce(lag(e.hash) OVER w, ${GENESIS_SQL})`)} AS intact
      FROM ledger_events e
     WHERE $RANGE
    WINDOW w AS (PARTITION BY e.member_id ORDER BY e.version)
  )
  SELECT count(*)::bigint AS events,
         count(*) FILTER (WHERE c.expected = 1)::bigint AS members,
         min(c.position) FILTER (WHERE c.version <> c.expected) AS gap_at,
         min(c.position) FILTER (WHERE NOT c.intact) AS altered_at,
         min(c.position) FILTER (WHERE c.last AND (m.version IS DISTINCT FROM c.version OR m.last_hash IS DISTINCT FROM c.hash)) AS head_at
    FROM chain c LEFT JOIN member_state m ON c.last AND m.member_id = c.member_id`;

interface ChainResult {
  events: string;
  members: string;
  gap_at: string | null;
  altered_at: string | null;
  head_at: string | null;
}

/** Balances against the open lots and holds they must add up to (invariant 4). */
const PROJECTION_SQL = `
  SELECT m.member_id, m.available, m.held, m.pending, m.debt, coalesce(l.remaining, 0) AS lots_remaining,
         coalesce(l.held, 0) AS lots_held, coalesce(l.pending, 0) AS lots_pending, coalesce(h.points, 0) AS holds
    FROM member_state m
    LEFT JOIN (SELECT member_id, sum(remaining) AS remaining, sum(held) AS held,
                      coalesce(sum(remaining) FILTER (WHERE pending), 0) AS pending
                 FROM open_lots GROUP BY member_id) l USING (member_id)
    LEFT JOIN (SELECT member_id, sum(points) AS points FROM open_holds GROUP BY member_id) h USING (member_id)
   WHERE coalesce(l.remaining, 0) - m.debt <> m.available + m.held + m.pending
      OR coalesce(l.held, 0) <> m.held OR coalesce(l.pending, 0) <> m.pending OR coalesce(h.points, 0) <> m.held
   ORDER BY m.member_id LIMIT 1`;

const ORPHAN_SQL = `
  SELECT member_id FROM member_state m
   WHERE NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.member_id = m.member_id) ORDER BY member_id LIMIT 1`;

const MESSAGES: Record<'gap_at' | 'altered_at' | 'head_at', [AuditViolationKind, string]> = {
  gap_at: ['version_gap', 'the version does not follow the previous one: an event was removed or inserted'],
  altered_at: ['hash_mismatch', 'the stored event does not match its hash: it, or the one before it, was altered'],
  head_at: ['head_mismatch', "the member's last event is not the head its balance row was written at: events were removed"],
};

/**
 * Verifies every member's hash chain and version sequence, that each balance row sits at its
 * chain's head, and that balances agree with the open lots and holds. The hashing runs inside
 * PostgreSQL over member ranges in parallel; the first violation is named with its position.
 */
export const auditLedger = async (dataSource: DataSource, options: AuditOptions = {}): Promise<AuditReport> => {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const ranges = await memberRanges(queryOf(dataSource), options.parallelism ?? 2);
  const parts: ChainResult[] = await Promise.all(
    ranges.map(async (range) => {
      const bounds = boundsSql('e.member_id', range);
      return (await dataSource.query(CHAIN_SQL.replace('$RANGE', bounds.sql), bounds.values))[0];
    }),
  );
  const eventsChecked = parts.reduce((sum, p) => sum + Number(p.events), 0);
  const members = parts.reduce((sum, p) => sum + Number(p.members), 0);
  const report = (firstViolation?: AuditViolation): AuditReport => ({
    ok: !firstViolation,
    eventsChecked,
    members,
    ms: clock() - started,
    ...(firstViolation ? { firstViolation } : {}),
  });
  const breaks = parts.flatMap((p) =>
    (['gap_at', 'altered_at', 'head_at'] as const).flatMap((key) => (p[key] === null ? [] : [{ key, position: BigInt(p[key] as string) }])),
  );
  if (breaks.length > 0) {
    const first = breaks.reduce((a, b) => (b.position < a.position ? b : a));
    const [row]: { member_id: string; version: number }[] = await dataSource.query(
      'SELECT member_id, version FROM ledger_events WHERE position = $1',
      [first.position.toString()],
    );
    const [kind, message] = MESSAGES[first.key];
    return report({ kind, memberId: row.member_id, position: first.position.toString(), version: row.version, message });
  }
  const [mismatch] = await dataSource.query(PROJECTION_SQL);
  if (mismatch) {
    return report({
      kind: 'projection_mismatch',
      memberId: mismatch.member_id,
      message:
        `balance says available ${mismatch.available}, held ${mismatch.held}, pending ${mismatch.pending}, debt ${mismatch.debt}; ` +
        `open lots hold ${mismatch.lots_remaining} (held ${mismatch.lots_held}, pending ${mismatch.lots_pending}), open holds ${mismatch.holds}`,
    });
  }
  const [orphan] = await dataSource.query(ORPHAN_SQL);
  if (orphan) return report({ kind: 'orphan_projection', memberId: orphan.member_id, message: 'balance row without any event: its events were removed' });
  return report();
};
