/** A column of rows sent in bulk: its name in the row objects and the PostgreSQL type of its array. */
export interface BulkColumn {
  name: string;
  type: string;
}

/**
 * Parameters for multi-row statements. Rows go as one array per column, expanded by `unnest`:
 * PostgreSQL takes arrays of scalars in at about twice the rate of a JSON document of objects
 * expanded by `json_to_recordset`, which extracts and re-parses every value (a JSON value nested
 * in each row, such as event data, most of all).
 */
export class BulkParams {
  readonly values: unknown[] = [];

  /** A placeholder for one value. */
  value(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `unnest($a::t[], $b::u[], ...) AS alias(columns...)` over the rows, one array per column. */
  unnest(rows: readonly Record<string, unknown>[], columns: readonly BulkColumn[], alias = 'x'): string {
    const arrays = columns.map(({ name, type }) => `${this.value(rows.map((row) => row[name] ?? null))}::${type}[]`);
    return `unnest(${arrays.join(', ')}) AS ${alias}(${columns.map((c) => `"${c.name}"`).join(', ')})`;
  }
}
