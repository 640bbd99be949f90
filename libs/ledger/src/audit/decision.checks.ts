import { SqlParams, membersInScopeSql, recordedInScopeSql } from '../read/ledger-scope';
import { queryCheck } from './audit-check';

interface StaleRow {
  total: string;
  member_id: string;
  scope: string;
  causation_id: string;
  code: string;
  member_version: number;
  head_version: number;
}

/**
 * Refusals decided on a member version behind the head the ledger held when they were written
 * (invariant 9): each rejection keeps the version it was decided on and the head its write found.
 * Rows written before versions were kept have neither and are not judged. A time range selects
 * the refusals recorded in it (a refused member may have no event at all).
 */
export const staleDecisionCheck = queryCheck<StaleRow>(
  'stale_decision',
  'once',
  () => 0,
  ({ scope }, params: SqlParams) =>
    `SELECT count(*) OVER () AS total, member_id, scope, causation_id, code, member_version, head_version
       FROM rejections
      WHERE head_version > member_version AND ${membersInScopeSql('rejections.member_id', scope, params, {}, false)}
        AND ${recordedInScopeSql('recorded_at', scope, params)}
      ORDER BY tx_id, id LIMIT $1`,
  (row) => ({
    memberId: row.member_id,
    version: row.member_version,
    message: `${row.scope} ${row.causation_id} was refused (${row.code}) on version ${row.member_version} while the head was ${row.head_version}`,
  }),
);
