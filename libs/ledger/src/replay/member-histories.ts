import { DataSource } from 'typeorm';
import { EVENT_COLUMNS, StoredEventRow } from '../read/event-row';

const PAGE = 5000;

/**
 * Streams the whole log member by member (by member id, then version) in keyset pages, so memory
 * stays bounded by one page plus the longest member history.
 */
export async function* memberHistories(dataSource: DataSource, memberIds?: string[]): AsyncGenerator<StoredEventRow[]> {
  let afterMember = '';
  let afterVersion = 0;
  let current: StoredEventRow[] = [];
  for (;;) {
    const rows: StoredEventRow[] = await dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events
        WHERE (member_id, version) > ($1, $2) AND ($4::text[] IS NULL OR member_id = ANY($4))
        ORDER BY member_id, version LIMIT $3`,
      [afterMember, afterVersion, PAGE, memberIds ?? null],
    );
    for (const row of rows) {
      if (current.length > 0 && current[0].member_id !== row.member_id) {
        yield current;
        current = [];
      }
      current.push(row);
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    afterMember = last.member_id;
    afterVersion = last.version;
  }
  if (current.length > 0) yield current;
}
