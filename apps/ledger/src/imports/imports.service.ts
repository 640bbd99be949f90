import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { OPENING_BALANCE_REASON, OpeningBalanceOutcome, OpeningBalanceRow, decideOpeningBalance, parseOpeningBalanceRow } from '@tally/adjustments';
import { fingerprintOf } from '@tally/contracts';
import {
  ClaimedJob,
  CommandResult,
  ImportFormat,
  ImportRowResult,
  ImportRows,
  ImportSummary,
  LEDGER_CLOCK,
  LedgerCommand,
  LedgerStore,
  StagedAs,
  StagedRow,
  csvRecords,
  queryOf,
  recordOfLine,
  stagedCsvRecord,
} from '@tally/ledger';
import { initialMemberState } from '@tally/member-ledger';
import { Metrics } from '@tally/platform';
import { Program } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { DataSource } from 'typeorm';

/** The ledger scope of opening balances: a row's key is its causation, so a file imported again appends nothing. */
export const OPENING_BALANCE_SCOPE = OPENING_BALANCE_REASON;

/** Lines staged per statement while an upload streams in. */
const STAGE_BATCH = 2000;
/** Rows decided and appended per ledger call (one transaction). */
const APPEND_BATCH = 1000;
/**
 * Ledger calls an import has in flight. An append is one statement on one PostgreSQL backend:
 * with one call at a time, a 20k-row import spent 60% of its time in that statement while the
 * other core idled.
 */
const APPENDS_IN_FLIGHT = 2;

/** A batch's rows after parsing: the refused ones answered, the rest to decide. */
interface ParsedBatch {
  refused: Map<number, ImportRowResult>;
  valid: { line: number; row: OpeningBalanceRow }[];
}

/** A promise awaited later, in turn: until then its failure must not count as unhandled. */
const settled = <T>(promise: Promise<T>): Promise<T> => {
  promise.catch(() => undefined);
  return promise;
};

/** What an import job keeps in its options: how to read its staged lines, and who asked. */
export interface ImportOptions {
  format: ImportFormat;
  header: string[];
  rows: number;
  actor: string;
  /** How the rows were staged; absent in jobs staged one row per line. */
  staged?: StagedAs;
}

export interface StagedUpload {
  rows: number;
  header: string[];
  /** How the rows were staged (CSV records since this release); absent: one per line. */
  staged?: StagedAs;
}

/** Rows staged a batch per statement. */
class Stager {
  private batch: StagedRow[] = [];
  private count = 0;

  constructor(private readonly write: (rows: StagedRow[]) => Promise<void>) {}

  async add(row: StagedRow): Promise<void> {
    this.batch.push(row);
    this.count += 1;
    if (this.batch.length >= STAGE_BATCH) await this.flush();
  }

  async end(): Promise<number> {
    await this.flush();
    return this.count;
  }

  private async flush(): Promise<void> {
    const rows = this.batch;
    this.batch = [];
    if (rows.length > 0) await this.write(rows);
  }
}

/** The fields a row's fingerprint covers: the same key with other values is a changed row, not a duplicate. */
const fingerprintOfRow = (row: OpeningBalanceRow): string => fingerprintOf({ memberId: row.memberId, points: row.points, lots: row.lots, tier: row.tier });

const resultOf = (line: number, row: OpeningBalanceRow, outcome: CommandResult<OpeningBalanceOutcome>): ImportRowResult => {
  const base = { line, key: row.key, memberId: row.memberId };
  switch (outcome.status) {
    case 'appended':
      return { ...base, status: 'applied' };
    case 'rejected':
      return { ...base, status: 'refused', code: outcome.code, message: outcome.message };
    case 'duplicate':
      return outcome.sameFingerprint
        ? { ...base, status: 'duplicate' }
        : { ...base, status: 'refused', code: 'CHANGED_SINCE_APPLIED', message: `key ${row.key} was imported before with other values; nothing changed` };
    default:
      return { ...base, status: 'refused', code: 'NOTHING_TO_DO', message: 'the row changes nothing' };
  }
};

/**
 * Opening balances when a programme moves onto Tally: uploads are staged line by line, then an
 * import job decides each row (`decideOpeningBalance`) through the ledger's append path, keyed by
 * the row, and keeps a result per line.
 */
@Injectable()
export class ImportsService {
  readonly rows: ImportRows;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    private readonly store: LedgerStore,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    private readonly metrics: Metrics,
  ) {
    this.rows = new ImportRows(queryOf(dataSource));
  }

  /**
   * Stages a file as it streams in. CSV: record by record (a quoted field may span lines), the
   * first record its header, each row numbered by the line it starts on; JSON Lines: line by
   * line. Blank lines are skipped, line numbers kept.
   */
  async stageStream(jobId: string, body: Readable, format: ImportFormat): Promise<StagedUpload> {
    const stager = new Stager((rows) => this.rows.stage(jobId, rows));
    if (format === 'jsonl') {
      let line = 0;
      for await (const text of createInterface({ input: body, crlfDelay: Infinity })) {
        line += 1;
        if (text.trim() !== '') await stager.add({ line, text });
      }
      return { rows: await stager.end(), header: [] };
    }
    let header: string[] | undefined;
    for await (const record of csvRecords(body)) {
      if (header === undefined) {
        header = record.fields.map((name) => name.trim());
        continue;
      }
      await stager.add({ line: record.line, text: stagedCsvRecord(record) });
    }
    return { rows: await stager.end(), header: header ?? [], staged: 'records' };
  }

  /** Rows given in a request body, staged as JSON Lines numbered from 1. */
  async stageRecords(jobId: string, records: readonly unknown[]): Promise<StagedUpload> {
    await this.rows.stage(
      jobId,
      records.map((record, i) => ({ line: i + 1, text: JSON.stringify(record) })),
    );
    return { rows: records.length, header: [] };
  }

  /**
   * Runs an import job to its summary, reporting rows answered as it goes; a resumed job
   * continues after the last answered row. Each append is one PostgreSQL statement, which runs on
   * one core: up to `APPENDS_IN_FLIGHT` batches are appended at once, as long as no two of them
   * touch the same member (a member's rows are then decided in file order, whichever batch they
   * are in), while the next batch is read. Results are written batch after batch, in file order,
   * so the answered rows are always the file's first ones.
   */
  async run(job: ClaimedJob, report: (done: number) => void): Promise<ImportSummary & { jobId: string }> {
    const options = job.options as unknown as ImportOptions;
    await this.rows.analyze();
    const answered = await this.rows.answered(job.id);
    let done = answered.rows;
    report(done);
    const context = { asOf: this.clock().toISOString(), actor: options.actor, source: `import ${job.id}`, rules: this.program };
    const counter = this.metrics.counter('tally_import_rows_total', 'Opening-balance rows imported, by result', ['status']);
    const inFlight: { members: Set<string>; decided: Promise<ImportRowResult[]> }[] = [];
    const recordOldest = async () => {
      const results = await (inFlight.shift() as (typeof inFlight)[number]).decided;
      await this.rows.record(job.id, results);
      const byStatus = new Map<string, number>();
      for (const result of results) byStatus.set(result.status, (byStatus.get(result.status) ?? 0) + 1);
      for (const [status, count] of byStatus) counter.inc({ status }, count);
      done += results.length;
      report(done);
    };
    try {
      let reading = settled(this.rows.next(job.id, answered.lastLine, APPEND_BATCH));
      for (;;) {
        const staged = await reading;
        if (staged.length === 0) break;
        reading = settled(this.rows.next(job.id, staged[staged.length - 1].line, APPEND_BATCH));
        const batch = this.parse(staged, options);
        const members = new Set(batch.valid.map(({ row }) => row.memberId));
        while (inFlight.length >= APPENDS_IN_FLIGHT || inFlight.some((other) => [...members].some((id) => other.members.has(id)))) await recordOldest();
        inFlight.push({ members, decided: settled(this.decide(staged, batch, context)) });
      }
      while (inFlight.length > 0) await recordOldest();
    } finally {
      // A failed batch fails the job; the others' appends finish before it is reported.
      await Promise.allSettled(inFlight.map((batch) => batch.decided));
    }
    return { jobId: job.id, ...(await this.rows.summary(job.id)) };
  }

  /** The rows of a batch as opening balances; the unreadable ones refused as they are. */
  private parse(staged: readonly StagedRow[], options: ImportOptions): ParsedBatch {
    const refused = new Map<number, ImportRowResult>();
    const valid: { line: number; row: OpeningBalanceRow }[] = [];
    for (const { line, text } of staged) {
      const record = recordOfLine(options.format, options.header, text, options.staged);
      const parsed = typeof record === 'string' ? { ok: false as const, code: 'INVALID_ROW', message: record } : parseOpeningBalanceRow(record);
      if (parsed.ok) valid.push({ line, row: parsed.row });
      else
        refused.set(line, {
          line,
          status: 'refused',
          code: parsed.code,
          message: parsed.message,
          ...('memberId' in parsed && parsed.memberId ? { memberId: parsed.memberId } : {}),
        });
    }
    return { refused, valid };
  }

  /** Decides a batch's readable rows through the ledger: a result per staged row, in file order. */
  private async decide(staged: readonly StagedRow[], batch: ParsedBatch, context: Parameters<typeof decideOpeningBalance>[2]): Promise<ImportRowResult[]> {
    const results = new Map(batch.refused);
    // A key twice in one ledger call would be decided twice on the same head: each run of keys goes on its own.
    for (const chunk of chunksOfDistinctKeys(batch.valid)) {
      const outcomes = await this.store.execute(chunk.map(({ row }) => this.commandOf(row, context)));
      chunk.forEach(({ line, row }, i) => results.set(line, resultOf(line, row, outcomes[i])));
    }
    return staged.map(({ line }) => results.get(line) as ImportRowResult);
  }

  private commandOf(row: OpeningBalanceRow, context: Parameters<typeof decideOpeningBalance>[2]): LedgerCommand<OpeningBalanceOutcome> {
    return {
      scope: OPENING_BALANCE_SCOPE,
      causationId: row.key,
      memberIds: [row.memberId],
      fingerprint: fingerprintOfRow(row),
      refused: { input: row, occurredAt: context.asOf },
      decide: (states) => decideOpeningBalance(states[row.memberId] ?? initialMemberState(row.memberId), row, context),
    };
  }
}

/** Splits rows into runs in which no key appears twice, keeping their order. */
const chunksOfDistinctKeys = <T extends { row: OpeningBalanceRow }>(rows: readonly T[]): T[][] => {
  const chunks: T[][] = [];
  let current: T[] = [];
  let seen = new Set<string>();
  for (const item of rows) {
    if (seen.has(item.row.key)) {
      chunks.push(current);
      current = [];
      seen = new Set();
    }
    current.push(item);
    seen.add(item.row.key);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};
