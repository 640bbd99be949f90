import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';

/** A record of a CSV file: its fields, and the file line it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

const BREAK = /\r\n|\n|\r/g;
const LEADING_BREAKS = /^(?:\r\n|\n|\r)+/;

/**
 * The records of a CSV stream, each with the line it starts on. RFC 4180: a quoted field may hold
 * commas, doubled quotes and line breaks; records end at LF or CRLF. A quote inside an unquoted
 * field, or after a closing quote, is taken as text (files exported by spreadsheets have them).
 * Blank lines and records of blank fields only are skipped. A quote never closed swallows the
 * rest of the file: the stream fails with the parser's `CsvError` (`CSV_QUOTE_NOT_CLOSED`, with
 * its line), since no record after it can be trusted.
 *
 * Lines are counted here, from each record's raw text, rather than taken from the parser's
 * `info.lines`, which counts a CRLF inside a quoted field as two lines.
 */
export async function* csvRecords(input: Readable): AsyncGenerator<CsvRecord> {
  const parser = parse({
    bom: true,
    // Named, not detected: detection takes the first break it meets, which may sit inside a quoted field.
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    raw: true,
  });
  const piping = pipeline(input, parser);
  // Awaited after the records: until then its failure is the iteration's.
  piping.catch(() => undefined);
  // The line the next raw text starts on.
  let line = 1;
  for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    // A record's raw text starts with the blank lines skipped before it.
    const first = line + (LEADING_BREAKS.exec(raw)?.[0].match(BREAK)?.length ?? 0);
    line += raw.match(BREAK)?.length ?? 0;
    if (record.every((field) => field.trim() === '')) continue;
    yield { line: first, fields: record };
  }
  await piping;
}
