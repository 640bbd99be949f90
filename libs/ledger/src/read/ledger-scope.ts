import type { MemberRange } from './member-ranges';

/**
 * What an audit or a replay covers. Members by list and by id range (both ends included, byte
 * order); with `from`/`to`, only members with an event recorded in `[from, to)`. Every condition
 * given applies (a list and a range: the listed members inside the range). No condition: the
 * whole ledger.
 */
export interface LedgerScope {
  memberIds?: readonly string[];
  memberRange?: { from: string; to: string };
  /** Events recorded at or after (ISO-8601 instant). */
  from?: string;
  /** Events recorded before (ISO-8601 instant). */
  to?: string;
}

export const WHOLE_LEDGER: LedgerScope = {};

export const hasTimeRange = (scope: LedgerScope): boolean => scope.from !== undefined || scope.to !== undefined;

/**
 * Why a scope cannot be run, or undefined when it can: a range whose end comes before its start
 * selects nothing, which is a mistake to report rather than an empty report to hand an auditor.
 */
export const scopeProblem = (scope: LedgerScope): string | undefined => {
  if (scope.memberIds !== undefined && scope.memberIds.length === 0) return 'memberIds names no member: leave it out to cover every member';
  if (scope.memberRange && scope.memberRange.from > scope.memberRange.to)
    return `memberRange.from (${scope.memberRange.from}) comes after memberRange.to (${scope.memberRange.to})`;
  if (scope.from !== undefined && scope.to !== undefined && Date.parse(scope.from) >= Date.parse(scope.to))
    return `from (${scope.from}) must be before to (${scope.to})`;
  return undefined;
};

/** The scope fields of a job's stored scope (which may carry other keys, such as a replay's `swap`). */
export const ledgerScopeOf = (stored: Record<string, unknown>): LedgerScope => {
  const scope: LedgerScope = {};
  if (Array.isArray(stored.memberIds)) scope.memberIds = [...new Set(stored.memberIds as string[])].sort();
  const range = stored.memberRange as { from?: unknown; to?: unknown } | undefined;
  if (range && typeof range.from === 'string' && typeof range.to === 'string') scope.memberRange = { from: range.from, to: range.to };
  if (typeof stored.from === 'string') scope.from = new Date(stored.from).toISOString();
  if (typeof stored.to === 'string') scope.to = new Date(stored.to).toISOString();
  return scope;
};

/** Positional parameters of one statement: each value added once, referred to by its `$n`. */
export class SqlParams {
  readonly values: unknown[];

  /** `reserved`: `$1..$reserved` are the caller's own, given first. */
  constructor(reserved: unknown[] = []) {
    this.values = [...reserved];
  }

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const and = (parts: string[]): string => (parts.length === 0 ? 'true' : parts.join(' AND '));

/** `column` (a timestamp) within the scope's time range; `true` without one. */
export const recordedInScopeSql = (column: string, scope: LedgerScope, params: SqlParams): string =>
  and([
    ...(scope.from !== undefined ? [`${column} >= ${params.add(scope.from)}::timestamptz`] : []),
    ...(scope.to !== undefined ? [`${column} < ${params.add(scope.to)}::timestamptz`] : []),
  ]);

/**
 * `column` (a member id, qualified by its table or alias) within a chunk's id range and the
 * scope's members. `activity: true` also asks the member to have an event recorded in the scope's
 * time range (an index probe on `ledger_events (member_id, version)` per member); rows that carry
 * their own time (rejections) pass `false` and test that time instead.
 */
export const membersInScopeSql = (column: string, scope: LedgerScope, params: SqlParams, chunk: MemberRange = {}, activity = true): string => {
  // Unqualified, the column would name the subquery's own `member_id` below, and every member would pass.
  if (!column.includes('.')) throw new Error(`membersInScopeSql needs a qualified column, not ${column}`);
  const parts: string[] = [];
  if (chunk.from !== undefined) parts.push(`${column} >= ${params.add(chunk.from)}`);
  if (chunk.to !== undefined) parts.push(`${column} < ${params.add(chunk.to)}`);
  if (scope.memberRange) parts.push(`${column} >= ${params.add(scope.memberRange.from)}`, `${column} <= ${params.add(scope.memberRange.to)}`);
  if (scope.memberIds !== undefined) parts.push(`${column} = ANY(${params.add(scope.memberIds)}::text[])`);
  if (activity && hasTimeRange(scope))
    parts.push(`EXISTS (SELECT 1 FROM ledger_events active WHERE active.member_id = ${column} AND ${recordedInScopeSql('active.recorded_at', scope, params)})`);
  return and(parts);
};

/** How many members a scope covers, by their balance rows: the unit audit and replay jobs count their progress in. */
export const membersInScope = async (query: (sql: string, values: unknown[]) => Promise<{ n: string }[]>, scope: LedgerScope): Promise<number> => {
  const params = new SqlParams();
  const [row] = await query(
    `SELECT count(*)::bigint AS n FROM member_state WHERE ${membersInScopeSql('member_state.member_id', scope, params)}`,
    params.values,
  );
  return Number(row.n);
};
