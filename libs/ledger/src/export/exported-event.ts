import { HashHex, HashedFields } from '../hashing/event-hash';

/**
 * One event as exported: everything its hash covers (the data as the exact text stored, which the
 * hash is over) and the hashes around it, so a file can be checked without the database.
 */
export interface ExportedEvent extends HashedFields {
  position: string;
  prevHash: HashHex;
  hash: HashHex;
}

export type ExportFormat = 'jsonl' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv'];

export const CSV_COLUMNS = [
  'position',
  'memberId',
  'version',
  'eventId',
  'type',
  'occurredAt',
  'recordedAt',
  'causationId',
  'prevHash',
  'hash',
  'data',
] as const;

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** One line of a file, with its line break. */
export const exportLine = (event: ExportedEvent, format: ExportFormat, decoded?: unknown): string => {
  if (format === 'csv') {
    const { dataText, ...rest } = event;
    const values = CSV_COLUMNS.map((c) => (c === 'data' ? dataText : String(rest[c as keyof typeof rest])));
    return `${values.map(csvField).join(',')}\n`;
  }
  return `${JSON.stringify({ ...event, ...(decoded !== undefined ? { data: decoded } : {}) })}\n`;
};

/** The fields of one CSV record on one line (ids and stored JSON text never hold a raw line break). */
export const parseCsvLine = (line: string): string[] => {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error('unterminated quoted field');
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') throw new Error(`unexpected ${JSON.stringify(line[i])} after a quoted field`);
      i += 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
};

/** An exported line read back; throws with a reason when it is not one. */
export const parseExportLine = (line: string, format: ExportFormat): ExportedEvent => {
  if (format === 'csv') {
    const fields = parseCsvLine(line);
    if (fields.length !== CSV_COLUMNS.length) throw new Error(`expected ${CSV_COLUMNS.length} fields, found ${fields.length}`);
    const row = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, fields[i]]));
    const { data, ...rest } = row;
    return { ...rest, version: Number(row.version), dataText: data } as unknown as ExportedEvent;
  }
  const parsed = JSON.parse(line) as ExportedEvent;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
  for (const key of ['position', 'memberId', 'eventId', 'type', 'occurredAt', 'recordedAt', 'causationId', 'dataText', 'prevHash', 'hash'] as const) {
    if (typeof parsed[key] !== 'string') throw new Error(`${key} is missing or not a string`);
  }
  if (!Number.isInteger(parsed.version)) throw new Error('version is missing or not an integer');
  return parsed;
};
