import { DataSource } from 'typeorm';
import { LedgerScope, SqlParams } from '../read/ledger-scope';
import { MemberRange } from '../read/member-ranges';

export type AuditViolationKind = 'version_gap' | 'hash_mismatch' | 'head_mismatch' | 'projection_mismatch' | 'orphan_projection' | 'stale_decision';

export interface AuditViolation {
  kind: AuditViolationKind;
  memberId: string;
  position?: string;
  version?: number;
  message: string;
}

/** What one run of a check looks at. */
export interface CheckContext {
  dataSource: DataSource;
  /** The members and time the audit covers. */
  scope: LedgerScope;
  /** A check run per chunk: its chunk of member ids; a check run once: `{}`. */
  chunk: MemberRange;
  /** Violations a check lists at most (at least 1); it counts every one. */
  limit: number;
}

export interface CheckFindings {
  /** Every violation found, by kind, however few are listed. */
  counts: Partial<Record<AuditViolationKind, number>>;
  /** The first `limit` of them, in the check's order. */
  violations: AuditViolation[];
  /** What it read of the log, for a check that reads every event. */
  checked?: { events: number; members: number };
}

/** One check of the audit: the kinds of violation it reports, and how it finds them. */
export interface AuditCheck {
  kinds: readonly AuditViolationKind[];
  /**
   * `chunks`: run on each chunk of member ids (the audit's unit of progress), the findings of
   * all chunks merged in `order`; `once`: run once over the whole scope.
   */
  runs: 'chunks' | 'once';
  /** How its violations are listed, whichever chunk found them. */
  order: (a: AuditViolation, b: AuditViolation) => number;
  run(context: CheckContext): Promise<CheckFindings>;
}

export const byMember = (a: AuditViolation, b: AuditViolation): number => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/**
 * A check that is one query: its violating rows in the order they are listed, each with
 * `count(*) OVER () AS total` (every row the query found), limited to `$1` rows. `sql` writes
 * the query's conditions with `params` (`$1` is the limit).
 */
export const queryCheck = <Row extends { total: string }>(
  kind: AuditViolationKind,
  runs: AuditCheck['runs'],
  order: AuditCheck['order'],
  sql: (context: CheckContext, params: SqlParams) => string,
  violationOf: (row: Row) => Omit<AuditViolation, 'kind'>,
): AuditCheck => ({
  kinds: [kind],
  runs,
  order,
  run: async (context) => {
    const params = new SqlParams([context.limit]);
    const text = sql(context, params);
    const rows: Row[] = await context.dataSource.query(text, params.values);
    return {
      counts: { [kind]: rows.length === 0 ? 0 : Number(rows[0].total) },
      violations: rows.map((row) => ({ kind, ...violationOf(row) })),
    };
  },
});
