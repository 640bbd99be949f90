import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { ApiClient } from '../api-client';
import { Context } from '../context';
import { printRecord, printTable, show } from '../output';
import { Progress, progressBar } from '../progress';
import { JobView, waitFor } from './jobs.commands';

type Format = 'csv' | 'jsonl';

interface RowResult {
  line: number;
  key?: string;
  memberId?: string;
  status: 'applied' | 'duplicate' | 'refused';
  code?: string;
  message?: string;
}

interface ImportResult {
  rows: number;
  applied: number;
  duplicate: number;
  refused: number;
  refusedBy: Record<string, number>;
}

const CONTENT_TYPES: Record<Format, string> = { csv: 'text/csv', jsonl: 'application/x-ndjson' };
/** Refused rows printed for people; all of them are in the results file. */
const REFUSED_SHOWN = 20;

const formatOfFile = (file: string, given?: string): Format => (given ?? (file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl')) as Format;

/** The file as a request body, counting the bytes sent into `progress`. */
const uploadBody = (file: string, progress: Progress): ReadableStream => {
  let sent = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      progress.tick(sent);
      done(null, chunk);
    },
  });
  return Readable.toWeb(createReadStream(file).pipe(counting)) as ReadableStream;
};

/** Every row's result, page by page, as JSON Lines into `out`; the refused ones kept for the summary. */
const saveResults = async (client: ApiClient, jobId: string, out: string): Promise<RowResult[]> => {
  const sink = createWriteStream(out);
  const refused: RowResult[] = [];
  for (let after = 0; ;) {
    const page = await client.get<{ results: RowResult[]; next: number | null }>(`ops/jobs/${jobId}/results`, { after, limit: 10000 });
    const text = page.results.map((r) => JSON.stringify(r)).join('\n');
    if (text !== '' && !sink.write(`${text}\n`)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
    for (const r of page.results) if (r.status === 'refused' && refused.length < REFUSED_SHOWN) refused.push(r);
    if (page.next === null) break;
    after = page.next;
  }
  sink.end();
  await finished(sink);
  return refused;
};

/** `import FILE`: opening balances, streamed to the ledger and imported as a job; a result per row in a file. */
export const addImportCommand = (program: Command, context: Context): void => {
  program
    .command('import')
    .description('import opening balances (CSV or JSON Lines) as a job: a progress bar, a result per row in a file; exit 1 if any row was refused')
    .argument('<file>', 'rows of memberId, points, lots (500@2027-06-30;300@2027-12-31) or expiresAt, tier?, rowId?')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'jsonl']))
    .option('--results <file>', 'where the per-row results go (JSON Lines; default: FILE.results.jsonl)')
    .action(async (file: string, opts: { format?: string; results?: string }, command: Command) => {
      const { client, output, interactive } = context(command);
      const format = formatOfFile(file, opts.format);
      const started = Date.now();
      const uploading = progressBar('upload (bytes)', interactive, (await stat(file)).size);
      const response = await client.request('POST', 'ops/imports', { format }, { stream: uploadBody(file, uploading), contentType: CONTENT_TYPES[format] });
      uploading.stop();
      const created = (await response.json()) as { id: string; rows: number };
      const job: JobView = await waitFor(client, created.id, progressBar('import', interactive, created.rows));
      const out = opts.results ?? `${file}.results.jsonl`;
      const refused = await saveResults(client, created.id, out);
      const result = job.result as unknown as ImportResult | undefined;
      const seconds = (Date.now() - started) / 1000;
      const summary = {
        jobId: created.id,
        state: job.state,
        ...(result ?? {}),
        results: out,
        seconds,
        rowsPerSecond: Math.round(created.rows / Math.max(seconds, 0.001)),
        ...(job.error ? { error: job.error } : {}),
      };
      show(output, summary, () => {
        const { refusedBy, ...rest } = summary as typeof summary & { refusedBy?: Record<string, number> };
        printRecord({ ...rest, ...(refusedBy && Object.keys(refusedBy).length > 0 ? { refusedBy } : {}) });
        if (refused.length > 0) printTable(refused, ['line', 'memberId', 'code', 'message']);
      });
      process.exitCode = job.state !== 'done' || (result?.refused ?? 0) > 0 ? 1 : 0;
    });
};
