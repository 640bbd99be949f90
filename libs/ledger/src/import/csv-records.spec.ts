import { Readable } from 'node:stream';
import fc from 'fast-check';
import { CsvRecord, csvRecords } from './csv-records';

/** The stream in pieces of `size` characters: a record may be cut anywhere between two chunks. */
const read = async (text: string, size = text.length || 1): Promise<CsvRecord[]> => {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(Readable.from(pieces.map((p) => Buffer.from(p))))) records.push(record);
  return records;
};

/** A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, quotes doubled. */
const quoted = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

describe('csvRecords', () => {
  it('reads quoted commas, doubled quotes and line breaks, numbering each record by the line it starts on', async () => {
    const file = [
      'memberId,points,note',
      'm-1,5,"moved, from ""old"""',
      'm-2,6,"two',
      'lines, and ""quotes"""',
      '',
      'm-3,7,plain',
      '"m-4","8","a\r\nwindows break"',
      'm-5,9,',
    ].join('\n');
    expect(await read(file)).toEqual([
      { line: 1, fields: ['memberId', 'points', 'note'] },
      { line: 2, fields: ['m-1', '5', 'moved, from "old"'] },
      { line: 3, fields: ['m-2', '6', 'two\nlines, and "quotes"'] },
      { line: 6, fields: ['m-3', '7', 'plain'] },
      { line: 7, fields: ['m-4', '8', 'a\r\nwindows break'] },
      { line: 9, fields: ['m-5', '9', ''] },
    ]);
  });

  it('skips blank lines and records of blank fields, keeps a BOM out of the first field, and takes CRLF files', async () => {
    for (const size of [1, 2, 3, 100]) {
      expect(await read('\uFEFFa,b\r\n\r\n , \r\n1,"2\r\n3"\r\n\r\n4,5', size)).toEqual([
        { line: 1, fields: ['a', 'b'] },
        { line: 4, fields: ['1', '2\r\n3'] },
        { line: 7, fields: ['4', '5'] },
      ]);
    }
  });

  it('takes a quote inside an unquoted field as text', async () => {
    expect(await read('a,b\n1,say "hi" twice\n2,"x"y\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'say "hi" twice'] },
      { line: 3, fields: ['2', '"x"y'] },
    ]);
  });

  it('fails the stream on a quote never closed, naming its line: nothing after it can be trusted', async () => {
    await expect(read('a,b\n1,"open\n2,3\n')).rejects.toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED', message: expect.stringContaining('line') });
  });

  it('reads back any table written with RFC 4180 quoting, with LF or CRLF records, wherever the chunks are cut', async () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\n', '\r\n', ' ', ';', '@', '中') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 17 }),
        async (rows, newline, size) => {
          // The reader skips records of blank fields only: the table keeps a key in front.
          const table = rows.map((row, i) => [`k${i}`, ...row]);
          const text = `${table.map((row) => row.map(quoted).join(',')).join(newline)}${newline}`;
          const starts: number[] = [];
          let line = 1;
          for (const row of table) {
            starts.push(line);
            line += row
              .map(quoted)
              .join(',')
              .split(/\r\n|\n/).length;
          }
          expect(await read(text, size)).toEqual(table.map((fields, i) => ({ line: starts[i], fields })));
        },
      ),
      { seed: 25, numRuns: 300 },
    );
  });
});
