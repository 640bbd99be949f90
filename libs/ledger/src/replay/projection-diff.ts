import { hash } from 'node:crypto';
import { Lot, OrderState, balanceOf } from '@tally/member-ledger';
import { LIVE_TABLES, MemberSnapshot, ProjectionTables, projectionRows } from '../append/projection-rows';
import { boundsSql } from '../read/member-ranges';
import { isoEpochMs } from '../storage/epoch-iso';
import { Queryable } from './member-histories';

/** The member ids one chunk covers: after the previous chunk (or from its range's start) up to its last member (or its range's end). */
export interface ChunkBounds {
  after?: string;
  from?: string;
  upTo?: string;
  to?: string;
}

/** A row of a projection table as the replay reports it: column name to plain JSON value. */
export type ProjectionRow = Record<string, string | number | boolean | null>;

export interface ReplayDifference {
  table: string;
  key: string;
  live: ProjectionRow | null;
  rebuilt: ProjectionRow | null;
}

type Table = keyof ProjectionTables;
type Rows = ReturnType<typeof projectionRows>;
type Values = (string | number | boolean | null)[];

/**
 * A balance row's chain head, checked against the log here rather than read out of it for every
 * event: 'head' when it is the hash of the member's event at the row's version, else its hex.
 */
const HEAD_CHECK = `CASE WHEN last_hash = (SELECT e.hash FROM ledger_events e WHERE e.member_id = member_state.member_id AND e.version = member_state.version)
  THEN 'head' ELSE encode(last_hash, 'hex') END`;

/** Epoch milliseconds; date_part is float8 arithmetic, cheaper than extract's numeric, and exact for the milliseconds instants carry here. */
const epochMs = (column: string) => `(date_part('epoch', ${column}) * 1000)::bigint`;

/**
 * Per table: its columns (key first), how PostgreSQL reads them as the JSON values the rebuild
 * has, and a row's text (fields joined; a member's rows are joined in key byte order) that both
 * sides build the same way. The comparison is of those texts' MD5 digests, member by member:
 * neither every live row nor every rebuilt state has to be kept or shipped, only a digest per
 * member and table; the rows of members whose digests differ are then fetched and compared.
 * (MD5 finds accidental differences, which is what a replay is for; tampering is the audit's
 * part, with SHA-256 chains over the log.)
 */
const TABLES: Record<Table, { rowsOf: (rows: Rows) => Record<string, unknown>[]; columns: string[]; key: string; select: string; row: string }> = {
  memberState: {
    rowsOf: (rows) => rows.members,
    columns: ['member_id', 'version', 'available', 'pending', 'held', 'debt', 'lifetime_earned', 'lifetime_redeemed', 'expired', 'tier', 'last_hash'],
    key: 'member_id',
    select: `member_id, version, available::float8, pending::float8, held::float8, debt::float8, lifetime_earned::float8,
             lifetime_redeemed::float8, expired::float8, tier, ${HEAD_CHECK}`,
    // The chain head is checked here, against the log: 'head' when it is the hash of the member's event at that version.
    row: `concat_ws('|', version, available, pending, held, debt, lifetime_earned, lifetime_redeemed, expired, tier, ${HEAD_CHECK})`,
  },
  openLots: {
    rowsOf: (rows) => rows.lots,
    columns: ['member_id', 'lot_id', 'remaining', 'held', 'expires_at', 'available_at', 'pending', 'lot_order'],
    key: 'lot_id',
    select: `member_id, lot_id, remaining::float8, held::float8, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             to_char(available_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), pending, lot_order`,
    row: `concat_ws('|', lot_id, remaining, held, ${epochMs('expires_at')}, coalesce(${epochMs('available_at')}::text, ''),
            CASE WHEN pending THEN 1 ELSE 0 END, lot_order)`,
  },
  memberOrders: {
    rowsOf: (rows) => rows.orders,
    columns: ['member_id', 'order_id', 'points', 'amount_minor', 'clawed_back', 'refunded_minor', 'refund_ids'],
    key: 'order_id',
    select: `member_id, order_id, points::float8, amount_minor::float8, clawed_back::float8, refunded_minor::float8, array_to_string(refund_ids, ',')`,
    row: `concat_ws('|', order_id, points, amount_minor, clawed_back, refunded_minor, array_to_string(refund_ids, ','))`,
  },
  openHolds: {
    rowsOf: (rows) => rows.holds,
    columns: ['member_id', 'hold_id', 'points', 'expires_at'],
    key: 'hold_id',
    select: `member_id, hold_id, points::float8, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    row: `concat_ws('|', hold_id, points, ${epochMs('expires_at')})`,
  },
};

const TABLE_NAMES = Object.keys(TABLES) as Table[];

/**
 * Each member's digest of a table's rows in a member id range. The aggregate takes the rows in
 * the order the subquery sorts them (the primary key's, byte order: key columns are collation
 * "C"), which is how PostgreSQL feeds a sorted subquery to an aggregate; an ORDER BY inside
 * `string_agg` sorts every member's rows again (a quarter of the query's time). Rows that ever
 * came in another order would make the digests differ, and the rows are then compared one by
 * one, which reports the digests when no row differs: never a silent pass.
 */
const memberDigestsSql = (table: Table, where: string): string => {
  const { key, row } = TABLES[table];
  const rows = `SELECT member_id, ${row} AS row FROM ${LIVE_TABLES[table]} WHERE ${where}`;
  return key === 'member_id'
    ? `SELECT member_id, md5(row) FROM (${rows}) member_rows`
    : `SELECT member_id, md5(string_agg(row, ';')) FROM (${rows} ORDER BY member_id, ${key}) member_rows GROUP BY member_id`;
};

const ms = (iso: string | undefined): string => (iso === undefined ? '' : String(isoEpochMs(iso)));
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A member's rows of each table as the texts PostgreSQL builds for the live ones (see `TABLES`). */
const textsOf = ({ state }: MemberSnapshot): Record<Table, string | undefined> => {
  const b = balanceOf(state);
  const member = `${b.version}|${b.available}|${b.pending}|${b.held}|${state.debt}|${b.lifetimeEarned}|${b.lifetimeRedeemed}|${b.expired}|${b.tier}|head`;
  const lotIds = [...state.lots.keys()].sort(byteOrder);
  const lots = lotIds.map((id) => {
    const lot = state.lots.get(id) as Lot;
    return `${id}|${lot.remaining}|${lot.held}|${ms(lot.expiresAt)}|${lot.pending ? ms(lot.availableAt) : ''}|${lot.pending ? 1 : 0}|${lot.order}`;
  });
  const holdIds = Object.keys(state.holds).filter((id) => state.holds[id].status === 'open').sort(byteOrder);
  const holds = holdIds.map((id) => `${id}|${state.holds[id].points}|${ms(state.holds[id].expiresAt)}`);
  const orders = [...state.orders.keys()]
    .sort(byteOrder)
    .map((id) => {
      const o = state.orders.get(id) as OrderState;
      return `${id}|${o.points}|${o.amountMinor}|${o.clawedBack}|${o.refundedMinor}|${o.refundIds.join(',')}`;
    });
  const joined = (list: string[]) => (list.length > 0 ? list.join(';') : undefined);
  return { memberState: member, openLots: joined(lots), openHolds: joined(holds), memberOrders: joined(orders) };
};

/** Folds these members again from the log, in the replay's snapshot: their rows, for a detailed comparison. */
export type Refold = (memberIds: string[]) => Promise<MemberSnapshot[]>;

/** What a chunk's comparison keeps of each rebuilt member: per table, the MD5 of its rows' text (none without rows). */
export class RebuiltDigests {
  readonly digests: Record<Table, Map<string, string>> = { memberState: new Map(), openLots: new Map(), memberOrders: new Map(), openHolds: new Map() };

  add(snapshot: MemberSnapshot): void {
    const texts = textsOf(snapshot);
    for (const table of TABLE_NAMES) {
      const text = texts[table];
      if (text !== undefined) this.digests[table].set(snapshot.state.memberId, hash('md5', text, 'hex'));
    }
  }

  get size(): number {
    return this.digests.memberState.size;
  }
}

/** Instants as `toISOString()` writes them, which is how the live side is read. */
const normalized = (value: unknown): string | number | boolean | null => {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string' && value.length >= 20 && value[10] === 'T' && !(value.length === 24 && value.endsWith('Z'))) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  }
  return value as string | number | boolean | null;
};

/**
 * Compares the rows rebuilt for a run of members with the live rows of the same member range,
 * read in the same snapshot as the log. A live row without a rebuilt one (or the reverse) is a
 * difference as much as a changed value is.
 */
export class ProjectionDiff {
  readonly differences: ReplayDifference[] = [];

  constructor(private readonly limit: number) {}

  /**
   * Compares one chunk: the digests of the members rebuilt for it, against the live rows of the
   * same members' id range. Members whose digests differ are folded again (`refold`) for their rows.
   */
  async compare(client: Queryable, rebuilt: RebuiltDigests, bounds: ChunkBounds, refold: Refold): Promise<void> {
    for (const table of TABLE_NAMES) {
      const mine = new Map(rebuilt.digests[table]);
      const where = boundsSql('member_id', bounds);
      const { rows } = await client.query({
        text: memberDigestsSql(table, where.sql),
        values: where.values,
        rowMode: 'array',
      });
      const differing = new Map<string, { live: string | null; rebuilt: string | null }>();
      for (const [memberId, digest] of rows as [string, string][]) {
        const own = mine.get(memberId);
        if (own !== digest) differing.set(memberId, { live: digest, rebuilt: own ?? null });
        mine.delete(memberId);
      }
      for (const [memberId, digest] of mine) differing.set(memberId, { live: null, rebuilt: digest });
      if (differing.size === 0 || this.differences.length >= this.limit) continue;
      const before = this.differences.length;
      const members = [...differing.keys()];
      await this.detail(client, table, projectionRows(await refold(members)), members);
      // Digests that differ although no row does would be a flaw in how the texts are built: never hide it.
      if (this.differences.length === before) {
        for (const [memberId, d] of differing) this.push({ table: LIVE_TABLES[table], key: memberId, live: { md5: d.live }, rebuilt: { md5: d.rebuilt } });
      }
    }
  }

  /** The differing rows of members whose texts differ, row by row. */
  private async detail(client: Queryable, table: Table, rebuilt: Rows, memberIds: string[]): Promise<void> {
    const { columns, key, select, rowsOf } = TABLES[table];
    const keyIndex = columns.indexOf(key);
    const { rows } = await client.query({
      text: `SELECT ${select} FROM ${LIVE_TABLES[table]} WHERE member_id = ANY($1)`,
      values: [memberIds],
      rowMode: 'array',
    });
    const idOf = (values: Values) => (key === 'member_id' ? String(values[0]) : `${values[0]}/${values[keyIndex]}`);
    const live = new Map((rows as Values[]).map((values) => [idOf(values), values]));
    for (const row of rowsOf(rebuilt)) {
      // The rebuilt row is at the log's head by construction (see HEAD_CHECK).
      const values: Values = columns.map((c) => (c === 'last_hash' ? 'head' : normalized(row[c])));
      const id = idOf(values);
      const other = live.get(id);
      live.delete(id);
      if (!other || other.some((v, i) => v !== values[i])) this.add(table, id, other, values);
    }
    for (const [id, values] of live) this.add(table, id, values, undefined);
  }

  private add(table: Table, key: string, live: Values | undefined, rebuilt: Values | undefined): void {
    const asRow = (values: Values | undefined): ProjectionRow | null =>
      values ? Object.fromEntries(TABLES[table].columns.map((c, i) => [c, values[i]])) : null;
    this.push({ table: LIVE_TABLES[table], key, live: asRow(live), rebuilt: asRow(rebuilt) });
  }

  private push(difference: ReplayDifference): void {
    if (this.differences.length < this.limit) this.differences.push(difference);
  }
}
