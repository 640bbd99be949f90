/** A column of rows sent in bulk: its name in the row objects and the PostgreSQL type of its array. */
export interface BulkColumn {
  name: string;
  type: string;
  /** A `json`/`jsonb` column whose rows hold JavaScript values to store as JSON, not JSON texts. */
  jsonValue?: boolean;
}

/** Characters that need quoting inside a PostgreSQL array literal. */
const NEEDS_QUOTES = /[\s"\\{},]|^$|^null$/i;
const NEEDS_ESCAPES = /["\\]/g;

/** One element of an array literal (`text`, numbers, booleans, `bytea` from Buffers). */
const element = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Buffer.isBuffer(value)) return `"\\\\x${value.toString('hex')}"`;
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(NEEDS_ESCAPES, '\\$&')}"` : text;
};

/**
 * One element of a `json` or `jsonb` array: a JSON text as `JSON.stringify` writes it, which holds
 * no raw control character and no lone surrogate. For such a text its JSON string form (a native
 * pass) is exactly its quoted array element: `"` and `\` escaped with a backslash, nothing else.
 * (Sent instead as lines split by `string_to_array`, the texts needed no escaping, but PostgreSQL's
 * cast of that `text[]` to `json[]` cost it 10 us more a purchase than reading the literal.)
 */
const jsonElement = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : element(value));

/** The last frozen value written as a JSON element, and its element: see `jsonValueElement`. */
let lastFrozen: unknown;
let lastFrozenElement = '';

/**
 * One element of a `json`/`jsonb` array from a JavaScript value. Rows often share one frozen
 * value (every earning's causation result is the same `{"outcome":"earned"}`): a frozen value
 * cannot have changed since it was last written, so a run of it is stringified once.
 */
const jsonValueElement = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (value === lastFrozen) return lastFrozenElement;
  const written = JSON.stringify(JSON.stringify(value));
  if (typeof value === 'object' && Object.isFrozen(value)) [lastFrozen, lastFrozenElement] = [value, written];
  return written;
};

/** One element of a `bytea` array: a Buffer, or bytes already written as hex (`HashHex`). */
const byteaElement = (value: unknown): string => (typeof value === 'string' ? `"\\\\x${value}"` : element(value));

/** How an element of an array of this type is written, where it differs from `element`. */
const FORMATS = new Map<string, (value: unknown) => string>([
  ['json', jsonElement],
  ['jsonb', jsonElement],
  ['bytea', byteaElement],
]);

/**
 * A `text[]` parameter written as its array literal. pg writes a JavaScript array's literal with
 * two regex replaces and a concatenation per element; ids mostly need none, and a batch sends
 * thousands of them.
 */
export const textArray = (values: readonly string[]): string => arrayLiteral(values.map(element));

/**
 * `{a,b,...}` from its elements' texts, as one flat string: the braces go into the first and last
 * elements before the join, because `{` + joined + `}` is a rope that pg's `Buffer.byteLength`
 * then flattens, copying the batch's largest texts once more on every statement.
 */
const arrayLiteral = (elements: string[]): string => {
  if (elements.length === 0) return '{}';
  elements[0] = `{${elements[0]}`;
  elements[elements.length - 1] = `${elements[elements.length - 1]}}`;
  return elements.join(',');
};

/**
 * Parameters for multi-row statements. Rows go as one array per column, expanded by `unnest`:
 * PostgreSQL takes arrays of scalars in at about twice the rate of a JSON document of objects
 * expanded by `json_to_recordset`, which extracts and re-parses every value (a JSON value nested
 * in each row, such as event data, most of all). The array literals are written here: ids, numbers
 * and hashes need no quoting, so most elements cost a type test instead of two regex replaces.
 */
export class BulkParams {
  readonly values: unknown[] = [];

  /** A placeholder for one value. */
  value(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `unnest($a::t[], $b::u[], ...) AS alias(columns...)` over the rows, one array per column. */
  unnest(rows: readonly object[], columns: readonly BulkColumn[], alias = 'x'): string {
    const arrays = columns.map(({ name, type, jsonValue }) => {
      const format = jsonValue ? jsonValueElement : (FORMATS.get(type) ?? element);
      return `${this.value(arrayLiteral(rows.map((row) => format((row as Record<string, unknown>)[name]))))}::${type}[]`;
    });
    return `unnest(${arrays.join(', ')}) AS ${alias}(${columns.map((c) => `"${c.name}"`).join(', ')})`;
  }
}
