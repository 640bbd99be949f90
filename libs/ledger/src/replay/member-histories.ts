import { LedgerEventType, NewLedgerEvent } from '@tally/contracts';
import { MemberRange } from '../read/member-ranges';
import { storedEvent } from '../state/member-states';
import { EpochIsoFormatter } from './epoch-iso';

/** The part of a pg client the replay reads through (a pooled client, or a worker's own). */
export interface Queryable {
  query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: unknown[] }>;
}

const PAGE = 10_000;

/** One member's events in version order, as the fold takes them. */
export interface MemberHistory {
  memberId: string;
  events: { version: number; event: NewLedgerEvent }[];
}

/** int8 arrives as text; the epoch milliseconds it carries fit a double exactly. */
type Row = [string, number, LedgerEventType, string, unknown[]];

/**
 * Streams the log member by member (by member id, then version) in keyset pages, each fetched
 * while the caller folds the one before. Rows come as arrays with the time as epoch
 * milliseconds and without hashes: the fold reads millions of them, and objects, date parsing
 * and hex would cost it more than the fold itself (heads are checked in SQL instead). Memory
 * stays at two pages plus the longest member history.
 */
export async function* memberHistories(
  client: Queryable,
  only: { memberIds?: readonly string[]; range?: MemberRange } = {},
): AsyncGenerator<MemberHistory> {
  const upper = only.range?.to === undefined ? '' : ' AND member_id < $4';
  const listed = only.memberIds === undefined ? '' : ` AND member_id = ANY($${upper ? 5 : 4})`;
  // date_part is float8 arithmetic, cheaper than extract's numeric, and exact for milliseconds.
  const text = `SELECT member_id, version, type, (date_part('epoch', occurred_at) * 1000)::bigint, data
                  FROM ledger_events WHERE (member_id, version) > ($1, $2)${upper}${listed}
                 ORDER BY member_id, version LIMIT $3`;
  const extra = [...(upper ? [only.range?.to] : []), ...(listed ? [only.memberIds] : [])];
  const fetchAfter = async (member: string, version: number): Promise<Row[]> =>
    (await client.query({ text, values: [member, version, PAGE, ...extra], rowMode: 'array' })).rows as Row[];
  let next: Promise<Row[]> | undefined = fetchAfter(only.range?.from ?? '', 0);
  const iso = new EpochIsoFormatter();
  try {
    let current: MemberHistory | undefined;
    while (next) {
      const rows: Row[] = await next;
      const last = rows[rows.length - 1];
      next = rows.length === PAGE ? fetchAfter(last[0], last[1]) : undefined;
      for (const [memberId, version, type, occurredAt, data] of rows) {
        if (current && current.memberId !== memberId) {
          yield current;
          current = undefined;
        }
        current ??= { memberId, events: [] };
        current.events.push({ version, event: storedEvent(memberId, type, iso.format(Number(occurredAt)), data) });
      }
    }
    if (current) yield current;
  } finally {
    // A caller that stops early leaves the next page in flight: let it land before the connection is reused.
    await next?.catch(() => undefined);
  }
}
