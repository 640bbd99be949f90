import Table from 'cli-table3';

/** Where the command's answer goes: JSON for scripts (`--json`), tables for people. */
export interface Output {
  json: boolean;
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** Rows of objects as a table with these columns (all keys of the first row by default). */
export const printTable = (rows: readonly object[], columns?: readonly string[]): void => {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const head = columns ?? Object.keys(rows[0]);
  const table = new Table({ head: [...head], wordWrap: true, colWidths: head.map((c) => (c === 'data' || c === 'message' ? 60 : null)) as number[] });
  for (const row of rows) table.push(head.map((c) => cell((row as Record<string, unknown>)[c])));
  process.stdout.write(`${table.toString()}\n`);
};

/** One object as a two-column table of its fields. */
export const printRecord = (record: Record<string, unknown>): void => {
  const table = new Table();
  for (const [key, value] of Object.entries(record)) table.push({ [key]: cell(value) });
  process.stdout.write(`${table.toString()}\n`);
};

/** Prints for the reader asked for: the whole value as JSON, or what `human` draws. */
export const show = (output: Output, value: unknown, human: () => void): void => {
  if (output.json) printJson(value);
  else human();
};
