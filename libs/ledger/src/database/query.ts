/**
 * Runs one SQL statement: a pooled connection, or the transaction an append holds. A `name`
 * asks for a prepared statement where the connection supports it (see `preparedQueryOf`).
 */
export type Query = (sql: string, params?: unknown[], name?: string) => Promise<any[]>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The part of a pg client that runs statements by name. */
interface NamedStatements {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: any[] }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * `Query` over one pg connection that prepares a named statement once and runs it by name after:
 * the append's statements are always the same texts, and planning the batch write (ten CTEs)
 * cost more than running it for a single command. A name must always stand for one text.
 */
export const preparedQueryOf =
  (client: NamedStatements): Query =>
  async (sql, params, name) =>
    (await client.query({ text: sql, values: params, ...(name ? { name } : {}) })).rows;

/** `Query` over a TypeORM data source or query runner. */
export const queryOf =
  (source: { query(sql: string, params?: unknown[]): Promise<any> }): Query =>
  // eslint-disable-line @typescript-eslint/no-explicit-any
  (sql, params) =>
    source.query(sql, params);
