import { DataSource } from 'typeorm';
import { LedgerScope, membersInScope, scopeProblem } from '../read/ledger-scope';
import { memberRanges } from '../read/member-ranges';
import { queryOf } from '../database/query';
import { AuditCheck, AuditViolation, AuditViolationKind, CheckFindings } from './audit-check';
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
  /** The first `limit` violations: the log's by position, then the projections' by member, then stale refusals. */
  violations: AuditViolation[];
  /** The first of `violations`. */
  firstViolation?: AuditViolation;
  ms: number;
}

export interface AuditOptions {
  clock?: () => number;
  /** Chunks of members checked at once, each on its own connection (PostgreSQL does the hashing). */
  parallelism?: number;
  /** Violations listed at most, 1 to `AUDIT_MAX_LIMIT` (default `AUDIT_DEFAULT_LIMIT`); all are counted. */
  limit?: number;
  /** The members and time checked (default: the whole ledger); see `LedgerScope`. */
  scope?: LedgerScope;
  /** Told the members checked so far and the members in scope, after each chunk. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Members a chunk holds at most (about 20 events each: a second or so of hashing), and the
 * fewest chunks an audit is cut into, so that even a small one reports progress on the way.
 */
const CHUNK_MEMBERS = 2000;
const MIN_CHUNKS = 16;

/** The first `limit` violations of two ordered lists, in order. */
const mergeFirst = (kept: AuditViolation[], more: AuditViolation[], order: AuditCheck['order'], limit: number): AuditViolation[] =>
  more.length === 0 ? kept : [...kept, ...more].sort(order).slice(0, limit);

/** Runs `work` on every item, `parallelism` at a time. */
const eachAtOnce = async <T>(items: readonly T[], parallelism: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, items.length)) }, lane));
};

/**
 * Verifies every member's hash chain and version sequence, that each balance row sits at its
 * chain's head, that balances agree with the open lots and holds, and that no refusal was decided
 * on a state behind the member's head, within a scope (members by list or range, a time range).
 * The member checks run chunk by chunk (progress is reported after each); the refusals' check,
 * in decision order, once. Counts every violation and names the first `limit` of them.
 */
export const auditLedger = async (dataSource: DataSource, options: AuditOptions = {}): Promise<AuditReport> => {
  const clock = options.clock ?? Date.now;
  const limit = options.limit ?? AUDIT_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) throw new RangeError(`audit limit must be 1-${AUDIT_MAX_LIMIT}, not ${limit}`);
  const scope = options.scope ?? {};
  const problem = scopeProblem(scope);
  if (problem) throw new RangeError(problem);
  const started = clock();
  const query = queryOf(dataSource);
  const total = await membersInScope(query, scope);
  const chunks = await memberRanges(query, Math.max(MIN_CHUNKS, Math.ceil(total / CHUNK_MEMBERS)), scope);
  const byKind = Object.fromEntries(CHECKS.flatMap((check) => check.kinds.map((kind) => [kind, 0]))) as Record<AuditViolationKind, number>;
  const listed = new Map<AuditCheck, AuditViolation[]>(CHECKS.map((check) => [check, []]));
  let eventsChecked = 0;
  let members = 0;
  const take = (check: AuditCheck, findings: CheckFindings) => {
    for (const [kind, count] of Object.entries(findings.counts)) byKind[kind as AuditViolationKind] += count;
    listed.set(check, mergeFirst(listed.get(check) ?? [], findings.violations, check.order, limit));
    eventsChecked += findings.checked?.events ?? 0;
    members += findings.checked?.members ?? 0;
  };
  const perChunk = CHECKS.filter((check) => check.runs === 'chunks');
  await eachAtOnce(chunks, options.parallelism ?? 2, async (chunk) => {
    for (const check of perChunk) take(check, await check.run({ dataSource, scope, chunk, limit }));
    options.onProgress?.(Math.min(members, total), total);
  });
  for (const check of CHECKS.filter((c) => c.runs === 'once')) take(check, await check.run({ dataSource, scope, chunk: {}, limit }));
  const violations = CHECKS.flatMap((check) => listed.get(check) ?? []).slice(0, limit);
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
