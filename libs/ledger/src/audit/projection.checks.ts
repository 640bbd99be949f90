import { membersInScopeSql } from '../read/ledger-scope';
import { byMember, queryCheck } from './audit-check';

interface MismatchRow {
  total: string;
  member_id: string;
  available: string;
  held: string;
  pending: string;
  debt: string;
  lots_remaining: string;
  lots_held: string;
  lots_pending: string;
  holds: string;
}

/**
 * Balances against the open lots and holds they must add up to (invariant 4), by member, for the
 * members of a chunk in scope. The lots and holds are summed for the chunk's ids only (their
 * keys start with the member id), not for the whole table.
 */
export const projectionCheck = queryCheck<MismatchRow>(
  'projection_mismatch',
  'chunks',
  byMember,
  ({ scope, chunk }, params) => {
    const ids = (column: string) => membersInScopeSql(column, scope, params, chunk, false);
    return `SELECT count(*) OVER () AS total, m.member_id, m.available, m.held, m.pending, m.debt, coalesce(l.remaining, 0) AS lots_remaining,
          coalesce(l.held, 0) AS lots_held, coalesce(l.pending, 0) AS lots_pending, coalesce(h.points, 0) AS holds
     FROM member_state m
     LEFT JOIN (SELECT member_id, sum(remaining) AS remaining, sum(held) AS held,
                       coalesce(sum(remaining) FILTER (WHERE pending), 0) AS pending
                  FROM open_lots WHERE ${ids('open_lots.member_id')} GROUP BY member_id) l USING (member_id)
     LEFT JOIN (SELECT member_id, sum(points) AS points FROM open_holds WHERE ${ids('open_holds.member_id')} GROUP BY member_id) h USING (member_id)
    WHERE ${membersInScopeSql('m.member_id', scope, params, chunk)}
      AND (coalesce(l.remaining, 0) - m.debt <> m.available + m.held + m.pending
       OR coalesce(l.held, 0) <> m.held OR coalesce(l.pending, 0) <> m.pending OR coalesce(h.points, 0) <> m.held)
    ORDER BY m.member_id LIMIT $1`;
  },
  (row) => ({
    memberId: row.member_id,
    message:
      `balance says available ${row.available}, held ${row.held}, pending ${row.pending}, debt ${row.debt}; ` +
      `open lots hold ${row.lots_remaining} (held ${row.lots_held}, pending ${row.lots_pending}), open holds ${row.holds}`,
  }),
);

/**
 * Balance rows of members the log has no event of, by member. Such a row has no time: a
 * time-ranged audit (members with an event in the range) never finds one.
 */
export const orphanCheck = queryCheck<{ total: string; member_id: string }>(
  'orphan_projection',
  'chunks',
  byMember,
  ({ scope, chunk }, params) =>
    `SELECT count(*) OVER () AS total, member_id FROM member_state m
      WHERE ${membersInScopeSql('m.member_id', scope, params, chunk)}
        AND NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.member_id = m.member_id) ORDER BY member_id LIMIT $1`,
  (row) => ({ memberId: row.member_id, message: 'balance row without any event: its events were removed' }),
);
