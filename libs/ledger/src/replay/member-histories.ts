import { LedgerEventType, NewLedgerEvent } from '@tally/contracts';
import { LedgerScope, SqlParams, membersInScopeSql } from '../read/ledger-scope';
import { MemberRange } from '../read/member-ranges';
import { storedEvent } from '../state/member-states';
import { EpochIsoFormatter } from '../storage/epoch-iso';

/** The part of a pg client the replay reads through (a pooled client, or a worker's own). */
export interface Queryable {
  query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: unknown[] }>;
}

/** Events a page holds at most: a few MB of text, whatever the members' history lengths. */
const PAGE = 10_000;

/** One member's events in version order, as the fold takes them. */
export interface MemberHistory {
  memberId: string;
  events: { version: number; event: NewLedgerEvent }[];
}

/** A page's run of one member's events: the last version in it, how many, and the events as one JSON text. */
type Row = [string, number, number, string];
/** An event in that text: version, type, epoch milliseconds of `occurred_at`, stored data. */
type StoredEventTuple = [number, LedgerEventType, number, unknown[]];

/**
 * Streams the log member by member (by member id, then version) in keyset pages of at most
 * `PAGE` events, each fetched while the caller folds the one before. PostgreSQL hands over each
 * member's run of events in a page as one JSON text, which one `JSON.parse` reads: a row and a
 * parsed field per event would cost the fold more than folding them, in parsing and in garbage.
 * Instants come as epoch milliseconds and hashes not at all (heads are checked in SQL). Memory
 * stays at two pages plus the longest member history.
 */
export async function* memberHistories(
  client: Queryable,
  only: { memberIds?: readonly string[]; range?: MemberRange; scope?: LedgerScope } = {},
): AsyncGenerator<MemberHistory> {
  // $1, $2: where the page starts; $3: its size.
  const params = new SqlParams([undefined, undefined, PAGE]);
  const upper = only.range?.to === undefined ? '' : ` AND member_id < ${params.add(only.range.to)}`;
  const listed = only.memberIds === undefined ? '' : ` AND member_id = ANY(${params.add(only.memberIds)})`;
  const scoped = only.scope === undefined ? '' : ` AND ${membersInScopeSql('ledger_events.member_id', only.scope, params)}`;
  // The aggregate takes the page's rows in the order the page has them (by version: checked below,
  // as an ORDER BY inside it would sort each member's run again). Types are event type codes,
  // which need no JSON escaping. date_part is float8 arithmetic, cheaper than extract's numeric;
  // rounded, it is exact for milliseconds.
  const text = `SELECT member_id, max(version), count(*)::int,
                       '[' || string_agg(concat('[', version, ',"', type, '",', round(date_part('epoch', occurred_at) * 1000), ',', data, ']'), ',') || ']'
                  FROM (SELECT member_id, version, type, occurred_at, data FROM ledger_events
                         WHERE (member_id, version) > ($1, $2)${upper}${listed}${scoped} ORDER BY member_id, version LIMIT $3) page
                 GROUP BY member_id ORDER BY member_id`;
  const extra = params.values.slice(3);
  const fetchAfter = async (member: string, version: number): Promise<Row[]> =>
    (await client.query({ text, values: [member, version, PAGE, ...extra], rowMode: 'array' })).rows as Row[];
  let next: Promise<Row[]> | undefined = fetchAfter(only.range?.from ?? '', 0);
  const iso = new EpochIsoFormatter();
  try {
    let current: MemberHistory | undefined;
    while (next) {
      const rows: Row[] = await next;
      const [lastMember, lastVersion] = rows[rows.length - 1] ?? [];
      next = rows.reduce((sum, row) => sum + row[2], 0) === PAGE ? fetchAfter(lastMember as string, lastVersion as number) : undefined;
      for (const [memberId, , , json] of rows) {
        // A member's run continues in the next page when the page ended within it.
        if (current && current.memberId !== memberId) {
          yield current;
          current = undefined;
        }
        current ??= { memberId, events: [] };
        const events = current.events;
        for (const [version, type, occurredAt, data] of JSON.parse(json) as StoredEventTuple[]) {
          const previous = events.length > 0 ? events[events.length - 1].version : 0;
          if (version <= previous) throw new Error(`member ${memberId}: the log read gave version ${version} after ${previous}`);
          events.push({ version, event: storedEvent(memberId, type, iso.format(occurredAt), data) });
        }
      }
    }
    if (current) yield current;
  } finally {
    // A caller that stops early leaves the next page in flight: let it land before the connection is reused.
    await next?.catch(() => undefined);
  }
}
