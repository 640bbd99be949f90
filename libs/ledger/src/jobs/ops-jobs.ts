import { Query } from '../database/query';

export type JobKind = 'audit' | 'replay' | 'import';
export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobProgress {
  done: number;
  total: number | null;
  /** Units (events) a second since the job started. */
  rate: number | null;
  etaSeconds: number | null;
}

export interface JobView {
  id: string;
  kind: JobKind;
  state: JobState;
  scope: Record<string, unknown>;
  progress: JobProgress;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result?: unknown;
  error?: string;
}

/** A job a runner claimed: what it needs to run it. */
export interface ClaimedJob {
  id: string;
  kind: JobKind;
  scope: Record<string, unknown>;
  options: Record<string, unknown>;
  attempt: number;
}

interface JobRow {
  id: string;
  kind: JobKind;
  state: JobState;
  scope: Record<string, unknown>;
  options: Record<string, unknown>;
  done: string;
  total: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
  result: unknown;
  error: string | null;
}

/** TypeORM answers an UPDATE ... RETURNING as `[rows, rowCount]`; an INSERT or a SELECT as the rows. */
const rowsOf = <T>(result: unknown[]): T[] => (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];

/** How long a running job may go without a heartbeat before its process counts as gone. */
export const STALE_AFTER_SECONDS = 30;

/** The scope as a key: the same scope written in any key order is one scope. */
export const scopeKeyOf = (scope: Record<string, unknown>): string =>
  JSON.stringify(
    Object.keys(scope)
      .sort()
      .reduce<Record<string, unknown>>((o, k) => ((o[k] = scope[k]), o), {}),
  );

export const progressOf = (done: number, total: number | null, startedAt: Date | null, now: Date): JobProgress => {
  const seconds = startedAt ? (now.getTime() - startedAt.getTime()) / 1000 : 0;
  const rate = seconds > 0 && done > 0 ? Math.round(done / seconds) : null;
  const etaSeconds = rate && total !== null ? Math.max(0, Math.ceil((total - done) / rate)) : null;
  return { done, total, rate, etaSeconds };
};

const viewOf = (row: JobRow, now: Date): JobView => {
  const end = row.finished_at ?? now;
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    scope: row.scope,
    progress: progressOf(Number(row.done), row.total === null ? null : Number(row.total), row.started_at, end),
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    ...(row.result !== null ? { result: row.result } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
  };
};

/** The jobs table: create (joining an active job of the same kind and scope), claim, beat, finish. */
export class OpsJobs {
  constructor(
    private readonly query: Query,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A new queued job, or the queued or running one of the same kind and scope (`joined`). */
  async create(id: string, kind: JobKind, scope: Record<string, unknown>, options: Record<string, unknown>): Promise<{ job: JobView; joined: boolean }> {
    const key = scopeKeyOf(scope);
    for (;;) {
      const inserted = (await this.query(
        `INSERT INTO ops_jobs (id, kind, scope, scope_key, options, state) VALUES ($1, $2, $3, $4, $5, 'queued')
         ON CONFLICT (kind, scope_key) WHERE state IN ('queued', 'running') DO NOTHING RETURNING *`,
        [id, kind, JSON.stringify(scope), key, JSON.stringify(options)],
      )) as JobRow[];
      if (inserted.length > 0) return { job: viewOf(inserted[0], this.clock()), joined: false };
      const active = (await this.query(`SELECT * FROM ops_jobs WHERE kind = $1 AND scope_key = $2 AND state IN ('queued', 'running')`, [
        kind,
        key,
      ])) as JobRow[];
      // The active job finished between the two statements: try the insert again.
      if (active.length > 0) return { job: viewOf(active[0], this.clock()), joined: true };
    }
  }

  async get(id: string): Promise<JobView | undefined> {
    const rows = (await this.query(`SELECT * FROM ops_jobs WHERE id = $1`, [id])) as JobRow[];
    return rows[0] && viewOf(rows[0], this.clock());
  }

  async list(limit: number): Promise<JobView[]> {
    const rows = (await this.query(`SELECT * FROM ops_jobs ORDER BY created_at DESC, id LIMIT $1`, [limit])) as JobRow[];
    const now = this.clock();
    return rows.map((row) => viewOf(row, now));
  }

  /**
   * Jobs whose process stopped beating and that have no attempt left are failed; then the oldest
   * queued job, or a running one whose heartbeat stopped, is claimed for this runner.
   */
  async claim(): Promise<ClaimedJob | undefined> {
    await this.query(
      `UPDATE ops_jobs SET state = 'failed', finished_at = now(), error = 'the ledger process running it stopped ' || attempts || ' times; not resumed again'
        WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1) AND attempts >= max_attempts`,
      [STALE_AFTER_SECONDS],
    );
    const rows = rowsOf<JobRow>(
      await this.query(
        `UPDATE ops_jobs SET state = 'running', attempts = attempts + 1, started_at = now(), heartbeat_at = now(), done = 0
        WHERE id = (SELECT id FROM ops_jobs
                     WHERE state = 'queued' OR (state = 'running' AND heartbeat_at < now() - make_interval(secs => $1))
                     ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
        [STALE_AFTER_SECONDS],
      ),
    );
    const row = rows[0];
    return row && { id: row.id, kind: row.kind, scope: row.scope, options: row.options, attempt: row.attempts };
  }

  /** Progress and a heartbeat; false when the job is no longer this attempt's (another runner took it over). */
  async beat(job: ClaimedJob, done: number, total: number | null): Promise<boolean> {
    const rows = rowsOf(
      await this.query(`UPDATE ops_jobs SET done = $3, total = $4, heartbeat_at = now() WHERE id = $1 AND attempts = $2 AND state = 'running' RETURNING id`, [
        job.id,
        job.attempt,
        done,
        total,
      ]),
    );
    return rows.length > 0;
  }

  async finish(job: ClaimedJob, result: unknown): Promise<void> {
    await this.query(
      `UPDATE ops_jobs SET state = 'done', result = $3, finished_at = now(), done = COALESCE(total, done) WHERE id = $1 AND attempts = $2 AND state = 'running'`,
      [job.id, job.attempt, JSON.stringify(result)],
    );
  }

  async fail(job: ClaimedJob, error: string): Promise<void> {
    await this.query(`UPDATE ops_jobs SET state = 'failed', error = $3, finished_at = now() WHERE id = $1 AND attempts = $2 AND state = 'running'`, [
      job.id,
      job.attempt,
      error,
    ]);
  }
}
