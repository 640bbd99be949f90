import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, StoredEventRow } from '../read/event-row';

const PAGE = 5000;

/**
 * Streams the whole log member by member (by member id, then version) in keyset pages, so memory
 * stays bounded by two pages plus the longest member history. The next page is fetched while the
 * caller works on the current one: database and fold overlap instead of taking turns.
 */
export async function* memberHistories(dataSource: DataSource, memberIds?: string[]): AsyncGenerator<StoredEventRow[]> {
  const fetchAfter = (member: string, version: number): Promise<StoredEventRow[]> =>
    dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events
        WHERE (member_id, version) > ($1, $2) AND ($4::text[] IS NULL OR member_id = ANY($4))
        ORDER BY member_id, version LIMIT $3`,
      [member, version, PAGE, memberIds ?? null],
    );
  let current: StoredEventRow[] = [];
  let next: Promise<StoredEventRow[]> | undefined = fetchAfter('', 0);
  while (next) {
    const rows: StoredEventRow[] = await next;
    const last = rows[rows.length - 1];
    next = rows.length === PAGE ? fetchAfter(last.member_id, last.version) : undefined;
    for (const row of rows) {
      if (current.length > 0 && current[0].member_id !== row.member_id) {
        yield current;
        current = [];
      }
      current.push(row);
    }
  }
  if (current.length > 0) yield current;
}
