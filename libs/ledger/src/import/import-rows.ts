import { Query } from '../database/query';
import { parseCsvLine } from '../export/exported-event';
import { CsvRecord } from './csv-records';

export type ImportFormat = 'csv' | 'jsonl';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'jsonl'];

export type ImportRowStatus = 'applied' | 'duplicate' | 'refused';

/** A staged line of an import file, by its line number in the file (1-based). */
export interface StagedRow {
  line: number;
  text: string;
}

/** What became of one row. */
export interface ImportRowResult {
  line: number;
  key?: string;
  memberId?: string;
  status: ImportRowStatus;
  code?: string;
  message?: string;
}

export interface ImportSummary {
  rows: number;
  applied: number;
  duplicate: number;
  refused: number;
  /** Refusals by code. */
  refusedBy: Record<string, number>;
}

/**
 * How a job's rows were staged: `records`, each CSV record as the JSON array of its fields, read
 * by a CSV parser that lets a quoted field span lines; `lines`, each file line as it was (what
 * jobs staged before that, and every JSON Lines file, hold).
 */
export type StagedAs = 'lines' | 'records';

/**
 * A staged row as a record: JSON Lines as they are, CSV by the header's column names.
 * Unreadable: a string saying why.
 */
export const recordOfLine = (format: ImportFormat, header: readonly string[], text: string, staged: StagedAs = 'lines'): unknown => {
  try {
    if (format === 'jsonl') return JSON.parse(text) as unknown;
    const fields = staged === 'records' ? (JSON.parse(text) as string[]) : parseCsvLine(text);
    if (fields.length > header.length) return `${fields.length} fields, the header names ${header.length}`;
    return Object.fromEntries(header.map((name, i) => [name, fields[i] ?? '']));
  } catch (error) {
    return (error as Error).message;
  }
};

/** The names of a CSV header line. */
export const headerOf = (text: string): string[] => parseCsvLine(text.replace(/^\uFEFF/, '')).map((name) => name.trim());

/** The staged text of a CSV record. */
export const stagedCsvRecord = (record: CsvRecord): string => JSON.stringify(record.fields);

/** Staged rows and their results: what an import job reads and writes. */
export class ImportRows {
  constructor(private readonly query: Query) {}

  async stage(jobId: string, rows: readonly StagedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.query(`INSERT INTO ops_import_rows (job_id, line, text) SELECT $1, * FROM unnest($2::int[], $3::text[])`, [
      jobId,
      rows.map((r) => r.line),
      rows.map((r) => r.text),
    ]);
  }

  /**
   * Brings the planner's statistics up to the rows just staged. Without them it takes a job's
   * rows for a few dozen, and reads each batch as a bitmap scan of every row after the cursor
   * sorted for the first thousand: 100 ms a batch at 100k rows, a second at a million (a
   * million-row import re-read its file a thousand times); with them, an index scan: 0.4 ms.
   */
  async analyze(): Promise<void> {
    await this.query(`ANALYZE ops_import_rows`);
  }

  /**
   * Staged rows after `afterLine`, in file order: a range of the primary key. A job answers its
   * rows in file order, a batch's results in one statement, so the rows without a result are
   * always those after the last answered line (`lastAnswered`).
   */
  async next(jobId: string, afterLine: number, limit: number): Promise<StagedRow[]> {
    return (await this.query(`SELECT line, text FROM ops_import_rows WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3`, [
      jobId,
      afterLine,
      limit,
    ])) as StagedRow[];
  }

  /** Rows answered so far, and the last of them (0 when none). */
  async answered(jobId: string): Promise<{ rows: number; lastLine: number }> {
    const [row] = (await this.query(`SELECT count(*)::int AS n, coalesce(max(line), 0) AS last FROM ops_import_results WHERE job_id = $1`, [jobId])) as {
      n: number;
      last: number;
    }[];
    return { rows: row.n, lastLine: row.last };
  }

  /** Results are written once per line; a resumed job that decides a line again keeps the first answer. */
  async record(jobId: string, results: readonly ImportRowResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.query(
      `INSERT INTO ops_import_results (job_id, line, key, member_id, status, code, message)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (job_id, line) DO NOTHING`,
      [
        jobId,
        results.map((r) => r.line),
        results.map((r) => r.key ?? null),
        results.map((r) => r.memberId ?? null),
        results.map((r) => r.status),
        results.map((r) => r.code ?? null),
        results.map((r) => r.message ?? null),
      ],
    );
  }

  /** Results in line order after `afterLine`. */
  async results(jobId: string, afterLine: number, limit: number): Promise<ImportRowResult[]> {
    const rows = (await this.query(
      `SELECT line, key, member_id, status, code, message FROM ops_import_results WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [jobId, afterLine, limit],
    )) as { line: number; key: string | null; member_id: string | null; status: ImportRowStatus; code: string | null; message: string | null }[];
    return rows.map((r) => ({
      line: r.line,
      ...(r.key !== null ? { key: r.key } : {}),
      ...(r.member_id !== null ? { memberId: r.member_id } : {}),
      status: r.status,
      ...(r.code !== null ? { code: r.code } : {}),
      ...(r.message !== null ? { message: r.message } : {}),
    }));
  }

  /**
   * Removes the staged rows and the results of import jobs that finished more than `days` ago,
   * one job per statement (a large file's rows are one delete, not one transaction for all).
   * The jobs stay, with their summaries. Answers the jobs cleared.
   */
  async removeFinished(days: number): Promise<string[]> {
    const expired = (await this.query(
      `SELECT j.id FROM ops_jobs j
        WHERE j.kind = 'import' AND j.state IN ('done', 'failed') AND j.finished_at < now() - make_interval(days => $1)
          AND (EXISTS (SELECT 1 FROM ops_import_rows r WHERE r.job_id = j.id) OR EXISTS (SELECT 1 FROM ops_import_results x WHERE x.job_id = j.id))`,
      [days],
    )) as { id: string }[];
    for (const { id } of expired) await this.remove(id);
    return expired.map((job) => job.id);
  }

  /** An upload's staged rows and results, as when its upload failed before it became a job. */
  async remove(jobId: string): Promise<void> {
    await this.query(`WITH staged AS (DELETE FROM ops_import_rows WHERE job_id = $1) DELETE FROM ops_import_results WHERE job_id = $1`, [jobId]);
  }

  async summary(jobId: string): Promise<ImportSummary> {
    const rows = (await this.query(
      `SELECT status, COALESCE(code, '') AS code, count(*)::int AS n FROM ops_import_results WHERE job_id = $1 GROUP BY status, code`,
      [jobId],
    )) as { status: ImportRowStatus; code: string; n: number }[];
    const summary: ImportSummary = { rows: 0, applied: 0, duplicate: 0, refused: 0, refusedBy: {} };
    for (const { status, code, n } of rows) {
      summary.rows += n;
      summary[status] += n;
      if (status === 'refused') summary.refusedBy[code] = (summary.refusedBy[code] ?? 0) + n;
    }
    return summary;
  }
}
