import { Hash, createHash } from 'node:crypto';
import { Lot, OrderState, balanceOf } from '@tally/member-ledger';
import { LIVE_TABLES, MemberSnapshot, ProjectionTables, projectionRows } from '../append/projection-rows';
import { LedgerScope, SqlParams, membersInScopeSql } from '../read/ledger-scope';
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
 * has, and a row's text (its member id and fields joined; rows joined in primary key byte order)
 * that both sides build the same way. The comparison is of those texts' MD5 digests, a chunk of
 * members at a time: neither every live row nor every rebuilt state has to be kept or shipped,
 * only a digest per chunk and table; where the digests differ, the chunk's rows are fetched and
 * compared one by one.
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
 * The digest of a table's rows in a member id range. The aggregate takes the rows in the order
 * the subquery sorts them (the primary key's, byte order: key columns are collation "C"), which
 * is how PostgreSQL feeds a sorted subquery to an aggregate; an ORDER BY inside `string_agg`
 * sorts the rows again. Rows that ever came in another order would make the digests differ, and
 * the rows are then compared one by one, which reports the digests when no row differs: never a
 * silent pass.
 */
const chunkDigestSql = (table: Table, where: string): string => {
  const { key, row } = TABLES[table];
  const order = key === 'member_id' ? 'member_id' : `member_id, ${key}`;
  return `SELECT md5(string_agg(row, ';')) FROM (SELECT member_id || '|' || ${row} AS row FROM ${LIVE_TABLES[table]} WHERE ${where} ORDER BY ${order}) chunk_rows`;
};

const ms = (iso: string | undefined): string => (iso === undefined ? '' : String(isoEpochMs(iso)));
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Appends a member's rows of each table to the chunk's texts as PostgreSQL builds them for the live ones (see `TABLES`). */
const addTexts = ({ state }: MemberSnapshot, add: (table: Table, rows: string[]) => void): void => {
  const id = state.memberId;
  const b = balanceOf(state);
  add('memberState', [
    `${id}|${b.version}|${b.available}|${b.pending}|${b.held}|${state.debt}|${b.lifetimeEarned}|${b.lifetimeRedeemed}|${b.expired}|${b.tier}|head`,
  ]);
  add(
    'openLots',
    [...state.lots.keys()].sort(byteOrder).map((lotId) => {
      const lot = state.lots.get(lotId) as Lot;
      return `${id}|${lotId}|${lot.remaining}|${lot.held}|${ms(lot.expiresAt)}|${lot.pending ? ms(lot.availableAt) : ''}|${lot.pending ? 1 : 0}|${lot.order}`;
    }),
  );
  const holdIds = Object.keys(state.holds).filter((holdId) => state.holds[holdId].status === 'open');
  add(
    'openHolds',
    holdIds.sort(byteOrder).map((holdId) => `${id}|${holdId}|${state.holds[holdId].points}|${ms(state.holds[holdId].expiresAt)}`),
  );
  add(
    'memberOrders',
    [...state.orders.keys()].sort(byteOrder).map((orderId) => {
      const o = state.orders.get(orderId) as OrderState;
      return `${id}|${orderId}|${o.points}|${o.amountMinor}|${o.clawedBack}|${o.refundedMinor}|${o.refundIds.join(',')}`;
    }),
  );
};

/** A complete chunk as its comparison takes it: the members rebuilt for it, and each table's digest of their rows. */
export interface ChunkDigests {
  memberIds: readonly string[];
  digests: Record<Table, string | null>;
}

/** Folds these members again from the log, in the replay's snapshot: their rows, for a detailed comparison. */
export type Refold = (memberIds: readonly string[]) => Promise<MemberSnapshot[]>;

/**
 * What a chunk's comparison keeps of its rebuilt members: their ids, and per table the MD5 of
 * their rows' texts so far. Each member's texts go into the digest as soon as it is folded:
 * texts kept for the whole chunk outlived V8's young generation, and copying them cost more
 * than hashing them.
 */
export class RebuiltDigests {
  readonly memberIds: string[] = [];
  private readonly hashes: Partial<Record<Table, Hash>> = {};
  private readonly add = (table: Table, rows: string[]): void => {
    if (rows.length === 0) return;
    const text = rows.join(';');
    const open = this.hashes[table];
    if (open) open.update(`;${text}`);
    else this.hashes[table] = createHash('md5').update(text);
  };

  addMember(snapshot: MemberSnapshot): void {
    this.memberIds.push(snapshot.state.memberId);
    addTexts(snapshot, this.add);
  }

  get size(): number {
    return this.memberIds.length;
  }

  /** The chunk, complete: each table's digest as `chunkDigestSql` computes it for the live rows (none without rows). */
  complete(): ChunkDigests {
    const of = (table: Table) => this.hashes[table]?.digest('hex') ?? null;
    return {
      memberIds: this.memberIds,
      digests: { memberState: of('memberState'), openLots: of('openLots'), memberOrders: of('memberOrders'), openHolds: of('openHolds') },
    };
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

  constructor(
    private readonly limit: number,
    private readonly scope: LedgerScope = {},
  ) {}

  /** The live rows of a table in a chunk's id range that belong to the scope's members. */
  private whereOf(table: Table, bounds: ChunkBounds): { sql: string; values: unknown[] } {
    const range = boundsSql('member_id', bounds);
    const params = new SqlParams(range.values);
    const scoped = membersInScopeSql(`${LIVE_TABLES[table]}.member_id`, this.scope, params);
    return { sql: `${range.sql} AND ${scoped}`, values: params.values };
  }

  /**
   * Compares one chunk: the digests of the members rebuilt for it, against the live rows of the
   * same members' id range. Where a table's digests differ, the chunk's members are folded again
   * (`refold`) and their rows compared with the range's live rows one by one.
   */
  async compare(client: Queryable, rebuilt: ChunkDigests, bounds: ChunkBounds, refold: Refold): Promise<void> {
    let rows: Rows | undefined;
    for (const table of TABLE_NAMES) {
      if (this.differences.length >= this.limit) return;
      const where = this.whereOf(table, bounds);
      const { rows: digests } = await client.query({ text: chunkDigestSql(table, where.sql), values: where.values, rowMode: 'array' });
      const live = (digests as [string | null][])[0]?.[0] ?? null;
      const own = rebuilt.digests[table];
      if (live === own) continue;
      const before = this.differences.length;
      rows ??= projectionRows(await refold(rebuilt.memberIds));
      await this.detail(client, table, rows, where);
      // Digests that differ although no row does would be a flaw in how the texts are built: never hide it.
      if (this.differences.length === before) {
        const key = `${bounds.after ?? bounds.from ?? ''}..${bounds.upTo ?? bounds.to ?? ''}`;
        this.push({ table: LIVE_TABLES[table], key, live: { md5: live }, rebuilt: { md5: own } });
      }
    }
  }

  /** The rows of a chunk whose digests differ, row by row: rebuilt ones against the live rows of its range. */
  private async detail(client: Queryable, table: Table, rebuilt: Rows, where: { sql: string; values: unknown[] }): Promise<void> {
    const { columns, key, select, rowsOf } = TABLES[table];
    const keyIndex = columns.indexOf(key);
    const { rows } = await client.query({
      text: `SELECT ${select} FROM ${LIVE_TABLES[table]} WHERE ${where.sql}`,
      values: where.values,
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
