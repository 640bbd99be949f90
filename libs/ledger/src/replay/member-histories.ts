import { LedgerEventType, NewLedgerEvent } from '@tally/contracts';
import type { PoolClient } from 'pg';
import { storedEvent } from '../state/member-states';

const PAGE = 10_000;

/** One member's events in version order, as the fold takes them, and the hash of the last one. */
export interface MemberHistory {
  memberId: string;
  events: { version: number; event: NewLedgerEvent }[];
  /** Hex of the last event's hash: the head the member's balance row must be at. */
  headHash: string;
}

type Row = [string, number, LedgerEventType, string, unknown[], string];

/** int8 arrives as text; the epoch milliseconds it carries fit a double exactly. */
const iso = (epochMs: string): string => new Date(Number(epochMs)).toISOString();

/**
 * Streams the log member by member (by member id, then version) in keyset pages, each fetched
 * while the caller folds the one before. Rows come as arrays with the time as epoch
 * milliseconds: the fold reads millions of them, and objects and date parsing would cost it
 * more than the fold itself. Memory stays at two pages plus the longest member history.
 */
export async function* memberHistories(client: PoolClient, memberIds?: readonly string[]): AsyncGenerator<MemberHistory> {
  const fetchAfter = async (member: string, version: number): Promise<Row[]> =>
    (
      await client.query({
        text: `SELECT member_id, version, type, (extract(epoch FROM occurred_at) * 1000)::bigint, data, encode(hash, 'hex')
                 FROM ledger_events
                WHERE (member_id, version) > ($1, $2) AND ($4::text[] IS NULL OR member_id = ANY($4))
                ORDER BY member_id, version LIMIT $3`,
        values: [member, version, PAGE, memberIds ?? null],
        rowMode: 'array',
      })
    ).rows as Row[];
  let next: Promise<Row[]> | undefined = fetchAfter('', 0);
  try {
    let current: MemberHistory | undefined;
    while (next) {
      const rows: Row[] = await next;
      const last = rows[rows.length - 1];
      next = rows.length === PAGE ? fetchAfter(last[0], last[1]) : undefined;
      for (const [memberId, version, type, occurredAt, data, hash] of rows) {
        if (current && current.memberId !== memberId) {
          yield current;
          current = undefined;
        }
        current ??= { memberId, events: [], headHash: hash };
        current.events.push({ version, event: storedEvent(memberId, type, iso(occurredAt), data) });
        current.headHash = hash;
      }
    }
    if (current) yield current;
  } finally {
    // A caller that stops early leaves the next page in flight: let it land before the connection is reused.
    await next?.catch(() => undefined);
  }
}
