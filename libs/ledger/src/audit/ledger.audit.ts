import { DataSource } from 'typeorm';
import { memberRanges } from '../read/member-ranges';
import { queryOf } from '../database/query';
import { AuditCheck, AuditViolation, AuditViolationKind } from './audit-check';
import { chainCheck } from './chain.check';
import { staleDecisionCheck } from './decision.checks';
import { orphanCheck, projectionCheck } from './projection.checks';

export type { AuditViolation, AuditViolationKind } from './audit-check';

/**
 * Every check the audit runs, in the order their violations are listed. A new kind of check is a
 * new entry here (its kinds added to `AuditViolationKind`).
 */
const CHECKS: readonly AuditCheck[] = [chainCheck, projectionCheck, orphanCheck, staleDecisionCheck];

/** Violations listed when the caller names no bound, and the most it may ask for. */
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

export interface AuditReport {
  ok: boolean;
  eventsChecked: number;
  members: number;
  /** Every violation found. */
  violationCount: number;
  /** Every violation found, by kind: each kind checked, 0 when none. */
  violationsByKind: Record<AuditViolationKind, number>;
  /** The first `limit` violations: the log's by position, then the projections' by member. */
  violations: AuditViolation[];
  /** The first of `violations`. */
  firstViolation?: AuditViolation;
  ms: number;
}

export interface AuditOptions {
  clock?: () => number;
  /** Member ranges checked at once, each on its own connection (PostgreSQL does the hashing). */
  parallelism?: number;
  /** Violations listed at most, 1 to `AUDIT_MAX_LIMIT` (default `AUDIT_DEFAULT_LIMIT`); all are counted. */
  limit?: number;
}

/**
 * Verifies every member's hash chain and version sequence, that each balance row sits at its
 * chain's head, that balances agree with the open lots and holds, and that no refusal was decided
 * on a state behind the member's head. Counts every violation and
 * names the first `limit` of them.
 */
export const auditLedger = async (dataSource: DataSource, options: AuditOptions = {}): Promise<AuditReport> => {
  const clock = options.clock ?? Date.now;
  const limit = options.limit ?? AUDIT_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) throw new RangeError(`audit limit must be 1-${AUDIT_MAX_LIMIT}, not ${limit}`);
  const started = clock();
  const ranges = await memberRanges(queryOf(dataSource), options.parallelism ?? 2);
  const byKind = Object.fromEntries(CHECKS.flatMap((check) => check.kinds.map((kind) => [kind, 0]))) as Record<AuditViolationKind, number>;
  const violations: AuditViolation[] = [];
  let eventsChecked = 0;
  let members = 0;
  // One check after another: each already runs its ranges in parallel.
  for (const check of CHECKS) {
    const findings = await check.run({ dataSource, ranges, limit });
    for (const [kind, count] of Object.entries(findings.counts)) byKind[kind as AuditViolationKind] += count;
    violations.push(...findings.violations.slice(0, limit - violations.length));
    eventsChecked += findings.checked?.events ?? 0;
    members += findings.checked?.members ?? 0;
  }
  const violationCount = Object.values(byKind).reduce((sum, count) => sum + count, 0);
  return {
    ok: violationCount === 0,
    eventsChecked,
    members,
    violationCount,
    violationsByKind: byKind,
    violations,
    ...(violations.length > 0 ? { firstViolation: violations[0] } : {}),
    ms: clock() - started,
  };
};
