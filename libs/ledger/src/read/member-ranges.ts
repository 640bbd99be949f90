import { Query } from '../database/query';
import { LedgerScope, SqlParams, membersInScopeSql } from './ledger-scope';

/** Members by id: `from` included, `to` excluded, either end open when absent. */
export interface MemberRange {
  from?: string;
  to?: string;
}

/**
 * Cuts the member ids into `parts` ranges of about as many members each (by `member_state`, the
 * scope's members only when one is given), together covering every id there is: the first and
 * last are open-ended, so a member with events but no balance row falls into one of them too.
 */
export const memberRanges = async (query: Query, parts: number, scope: LedgerScope = {}): Promise<MemberRange[]> => {
  if (parts <= 1) return [{}];
  const params = new SqlParams([Array.from({ length: parts - 1 }, (_, i) => (i + 1) / parts)]);
  const where = membersInScopeSql('member_state.member_id', scope, params);
  const [{ bounds }]: { bounds: string[] | null }[] = await query(
    `SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY member_id) AS bounds FROM member_state WHERE ${where}`,
    params.values,
  );
  const cuts = [...new Set(bounds ?? [])];
  return [undefined, ...cuts].map((from, i) => ({ ...(from !== undefined ? { from } : {}), ...(cuts[i] !== undefined ? { to: cuts[i] } : {}) }));
};

/**
 * The SQL condition for `column` within bounds, its values numbered from `$first`. Bounds are
 * written out, never `($n IS NULL OR ...)`, which would keep the planner from a range scan.
 */
export const boundsSql = (
  column: string,
  bounds: { after?: string; from?: string; upTo?: string; to?: string },
  first = 1,
): { sql: string; values: string[] } => {
  const parts: string[] = [];
  const values: string[] = [];
  const add = (op: string, value: string | undefined) => {
    if (value === undefined) return;
    values.push(value);
    parts.push(`${column} ${op} $${first + values.length - 1}`);
  };
  add('>', bounds.after);
  add('>=', bounds.from);
  add('<=', bounds.upTo);
  add('<', bounds.to);
  return { sql: parts.length > 0 ? parts.join(' AND ') : 'true', values };
};
