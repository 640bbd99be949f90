import { DataSource } from 'typeorm';
import { MemberRange } from '../read/member-ranges';

export type AuditViolationKind = 'version_gap' | 'hash_mismatch' | 'head_mismatch' | 'projection_mismatch' | 'orphan_projection' | 'stale_decision';

export interface AuditViolation {
  kind: AuditViolationKind;
  memberId: string;
  position?: string;
  version?: number;
  message: string;
}

/** What a check looks at: the whole ledger, cut into member ranges that may be checked at once. */
export interface AuditScope {
  dataSource: DataSource;
  /** Each range on its own connection; together they cover every member id. */
  ranges: MemberRange[];
  /** Violations a check lists at most (at least 1); it counts every one. */
  limit: number;
}

export interface CheckFindings {
  /** Every violation found, by kind, however few are listed. */
  counts: Partial<Record<AuditViolationKind, number>>;
  /** The first `limit` of them, in the order the check lists them. */
  violations: AuditViolation[];
  /** What it read of the log, for a check that reads every event. */
  checked?: { events: number; members: number };
}

/** One check of the audit: the kinds of violation it reports, and how it finds them. */
export interface AuditCheck {
  kinds: readonly AuditViolationKind[];
  run(scope: AuditScope): Promise<CheckFindings>;
}

/**
 * A check that is one query: its violating rows in the order they are listed, each with
 * `count(*) OVER () AS total` (every row the query found), limited to `$1` rows.
 */
export const queryCheck = <Row extends { total: string }>(
  kind: AuditViolationKind,
  sql: string,
  violationOf: (row: Row) => Omit<AuditViolation, 'kind'>,
): AuditCheck => ({
  kinds: [kind],
  run: async ({ dataSource, limit }) => {
    const rows: Row[] = await dataSource.query(sql, [limit]);
    return {
      counts: { [kind]: rows.length === 0 ? 0 : Number(rows[0].total) },
      violations: rows.map((row) => ({ kind, ...violationOf(row) })),
    };
  },
});
