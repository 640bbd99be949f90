import { Lot, MemberState, OrderState, balanceOf } from '@tally/member-ledger';
import type { HashHex } from '../hashing/event-hash';
import { BulkColumn, BulkParams, textArray } from './bulk-params';

/** The names of one set of projection tables: live, or a rebuild being prepared beside them. */
export interface ProjectionTables {
  memberState: string;
  openLots: string;
  openHolds: string;
  memberOrders: string;
}

export const LIVE_TABLES: ProjectionTables = { memberState: 'member_state', openLots: 'open_lots', openHolds: 'open_holds', memberOrders: 'member_orders' };
export const REBUILD_TABLES: ProjectionTables = {
  memberState: 'member_state_rebuild',
  openLots: 'open_lots_rebuild',
  openHolds: 'open_holds_rebuild',
  memberOrders: 'member_orders_rebuild',
};

/** A member's folded state and the hash of its last event. */
export interface MemberSnapshot {
  state: MemberState;
  lastHash: HashHex;
}

const lotRow = (memberId: string, lot: Lot) => ({
  member_id: memberId,
  lot_id: lot.lotId,
  remaining: lot.remaining,
  held: lot.held,
  expires_at: lot.expiresAt,
  // A lot an abuse flag holds is due when ops clear the flag, not at a time.
  available_at: lot.pending && !lot.heldByFlag ? (lot.availableAt ?? null) : null,
  pending: lot.pending,
  lot_order: lot.order,
});

const memberRow = ({ state, lastHash }: MemberSnapshot) => {
  const balance = balanceOf(state);
  return {
    member_id: state.memberId,
    version: state.version,
    last_hash: lastHash,
    available: balance.available,
    pending: balance.pending,
    held: balance.held,
    debt: state.debt,
    lifetime_earned: balance.lifetimeEarned,
    lifetime_redeemed: balance.lifetimeRedeemed,
    expired: balance.expired,
    tier: balance.tier,
  };
};

const holdRow = (memberId: string, holdId: string, hold: MemberState['holds'][string]) => ({
  member_id: memberId,
  hold_id: holdId,
  points: hold.points,
  expires_at: hold.expiresAt,
});

const orderRow = (memberId: string, orderId: string, order: OrderState) => ({
  member_id: memberId,
  order_id: orderId,
  points: order.points,
  amount_minor: order.amountMinor,
  clawed_back: order.clawedBack,
  refunded_minor: order.refundedMinor,
  refund_ids: order.refundIds,
});

export interface ProjectionRowSet {
  members: Record<string, unknown>[];
  lots: Record<string, unknown>[];
  goneLots: { member_id: string; lot_id: string }[];
  holds: Record<string, unknown>[];
  goneHolds: { member_id: string; hold_id: string }[];
  orders: Record<string, unknown>[];
}

/** Every projection row of these members, as they are now (a rebuild, or a member refolded whole). */
export const projectionRows = (snapshots: MemberSnapshot[]): ProjectionRowSet => {
  const rows: ProjectionRowSet = { members: [], lots: [], goneLots: [], holds: [], goneHolds: [], orders: [] };
  for (const snapshot of snapshots) {
    const { state } = snapshot;
    rows.members.push(memberRow(snapshot));
    for (const lot of state.lots.values()) rows.lots.push(lotRow(state.memberId, lot));
    for (const [holdId, hold] of Object.entries(state.holds)) if (hold.status === 'open') rows.holds.push(holdRow(state.memberId, holdId, hold));
    for (const [orderId, order] of state.orders) rows.orders.push(orderRow(state.memberId, orderId, order));
  }
  return rows;
};

/** A member an append moved on, with the lots and holds its fold changed. */
export interface ChangedMember extends MemberSnapshot {
  changedLots: ReadonlySet<string>;
  changedHolds: ReadonlySet<string>;
  changedOrders: ReadonlySet<string>;
}

/**
 * The rows an append rewrites: each member's balance row, and only the lots and holds its events
 * changed (upserted if still open, deleted if closed), whatever number of lots the member has.
 */
export const changedRows = (members: ChangedMember[]): ProjectionRowSet => {
  const rows: ProjectionRowSet = { members: [], lots: [], goneLots: [], holds: [], goneHolds: [], orders: [] };
  for (const member of members) {
    const { state } = member;
    rows.members.push(memberRow(member));
    for (const lotId of member.changedLots) {
      const lot = state.lots.get(lotId);
      if (lot) rows.lots.push(lotRow(state.memberId, lot));
      else rows.goneLots.push({ member_id: state.memberId, lot_id: lotId });
    }
    for (const holdId of member.changedHolds) {
      const hold = state.holds[holdId];
      if (hold?.status === 'open') rows.holds.push(holdRow(state.memberId, holdId, hold));
      else rows.goneHolds.push({ member_id: state.memberId, hold_id: holdId });
    }
    for (const orderId of member.changedOrders) rows.orders.push(orderRow(state.memberId, orderId, state.orders.get(orderId) as OrderState));
  }
  return rows;
};

type Query = (sql: string, params: unknown[]) => Promise<unknown>;
type Rows = Record<string, unknown>[];

const MEMBER_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'available', type: 'bigint' },
  { name: 'pending', type: 'bigint' },
  { name: 'held', type: 'bigint' },
  { name: 'debt', type: 'bigint' },
  { name: 'lifetime_earned', type: 'bigint' },
  { name: 'lifetime_redeemed', type: 'bigint' },
  { name: 'expired', type: 'bigint' },
  { name: 'tier', type: 'text' },
  { name: 'last_hash', type: 'bytea' },
];
const LOT_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'lot_id', type: 'text' },
  { name: 'remaining', type: 'bigint' },
  { name: 'held', type: 'bigint' },
  { name: 'expires_at', type: 'timestamptz' },
  { name: 'available_at', type: 'timestamptz' },
  { name: 'pending', type: 'boolean' },
  { name: 'lot_order', type: 'int' },
];
const HOLD_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'hold_id', type: 'text' },
  { name: 'points', type: 'bigint' },
  { name: 'expires_at', type: 'timestamptz' },
];
const ORDER_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'order_id', type: 'text' },
  { name: 'points', type: 'bigint' },
  { name: 'amount_minor', type: 'bigint' },
  { name: 'clawed_back', type: 'bigint' },
  { name: 'refunded_minor', type: 'bigint' },
  { name: 'refund_ids', type: 'text' },
];
const key = (columns: BulkColumn[], names: string[]) => columns.filter((c) => names.includes(c.name));
const list = (columns: BulkColumn[]) => columns.map((c) => c.name).join(', ');
const excluded = (columns: BulkColumn[], keyNames: string[]) =>
  columns
    .filter((c) => !keyNames.includes(c.name))
    .map((c) => `${c.name} = EXCLUDED.${c.name}`)
    .join(', ');

/**
 * The rows' members, as a condition on the table itself: whichever way the planner joins the
 * table to the rows (on a table it saw empty, it read the whole index to join), it reads only
 * these members' entries.
 */
const ownRows = (bulk: BulkParams, alias: string, rows: Rows) =>
  `${alias}.member_id = ANY(${bulk.value(textArray([...new Set(rows.map((r) => r.member_id as string))]))}::text[])`;

const refundIdsAsText = (rows: Rows): Rows => rows.map((row) => ({ ...row, refund_ids: (row.refund_ids as string[]).join(',') }));

/** Each statement takes its rows as parameters of `bulk`, in the order the statements are built. */
export const projectionSql = (tables: ProjectionTables) => ({
  upsertMembers: (bulk: BulkParams, rows: Rows) =>
    `INSERT INTO ${tables.memberState} (${list(MEMBER_COLUMNS)}) SELECT * FROM ${bulk.unnest(rows, MEMBER_COLUMNS)}
     ON CONFLICT (member_id) DO UPDATE SET ${excluded(MEMBER_COLUMNS, ['member_id'])}`,
  deleteLots: (bulk: BulkParams, rows: Rows) =>
    `DELETE FROM ${tables.openLots} l USING ${bulk.unnest(rows, key(LOT_COLUMNS, ['member_id', 'lot_id']))}
      WHERE l.member_id = x.member_id AND l.lot_id = x.lot_id AND ${ownRows(bulk, 'l', rows)}`,
  upsertLots: (bulk: BulkParams, rows: Rows) =>
    `${insertLots(tables, bulk, rows)} ON CONFLICT (member_id, lot_id) DO UPDATE SET ${excluded(LOT_COLUMNS, ['member_id', 'lot_id'])}`,
  /**
   * Lots that cannot exist yet (opened by the events being appended): a plain insert skips the
   * upsert's probe for a conflict and its speculative insertion, a lot per purchase.
   */
  insertLots: (bulk: BulkParams, rows: Rows) => insertLots(tables, bulk, rows),
  deleteHolds: (bulk: BulkParams, rows: Rows) =>
    `DELETE FROM ${tables.openHolds} h USING ${bulk.unnest(rows, key(HOLD_COLUMNS, ['member_id', 'hold_id']))}
      WHERE h.member_id = x.member_id AND h.hold_id = x.hold_id AND ${ownRows(bulk, 'h', rows)}`,
  upsertHolds: (bulk: BulkParams, rows: Rows) =>
    `INSERT INTO ${tables.openHolds} (${list(HOLD_COLUMNS)}) SELECT * FROM ${bulk.unnest(rows, HOLD_COLUMNS)}
     ON CONFLICT (member_id, hold_id) DO UPDATE SET ${excluded(HOLD_COLUMNS, ['member_id', 'hold_id'])}`,
  upsertOrders: (bulk: BulkParams, rows: Rows) =>
    `${insertOrders(tables, bulk, rows)} ON CONFLICT (member_id, order_id) DO UPDATE SET ${excluded(ORDER_COLUMNS, ['member_id', 'order_id'])}`,
  /** Orders that must not exist yet: one that does fails the statement with a unique violation (23505). */
  insertOrders: (bulk: BulkParams, rows: Rows) => insertOrders(tables, bulk, rows),
  /** Plain inserts, for tables being filled from nothing (a rebuild). */
  insertAll: (bulk: BulkParams, rows: ProjectionRowSet) =>
    `WITH members AS (INSERT INTO ${tables.memberState} (${list(MEMBER_COLUMNS)}) SELECT * FROM ${bulk.unnest(rows.members, MEMBER_COLUMNS)}),
          lots AS (INSERT INTO ${tables.openLots} (${list(LOT_COLUMNS)}) SELECT * FROM ${bulk.unnest(rows.lots, LOT_COLUMNS)}),
          orders AS (${insertOrders(tables, bulk, rows.orders)})
     INSERT INTO ${tables.openHolds} (${list(HOLD_COLUMNS)}) SELECT * FROM ${bulk.unnest(rows.holds, HOLD_COLUMNS)}`,
});

const insertLots = (tables: ProjectionTables, bulk: BulkParams, rows: Rows) =>
  `INSERT INTO ${tables.openLots} (${list(LOT_COLUMNS)}) SELECT * FROM ${bulk.unnest(rows, LOT_COLUMNS)}`;

/** Refund ids travel as one `a,b` text per row (ids hold no commas): arrays of arrays must be rectangular. */
const insertOrders = (tables: ProjectionTables, bulk: BulkParams, rows: Rows) =>
  `INSERT INTO ${tables.memberOrders} (${list(ORDER_COLUMNS)})
   SELECT member_id, order_id, points, amount_minor, clawed_back, refunded_minor, string_to_array(refund_ids, ',')
     FROM ${bulk.unnest(refundIdsAsText(rows), ORDER_COLUMNS)}`;

/**
 * Rewrites the projection rows of the given members whole, from their states: a statement per
 * table (replay's catch-up uses this; appends fold their rows into their one write, see LedgerStore).
 */
export const writeProjections = async (query: Query, tables: ProjectionTables, snapshots: MemberSnapshot[]): Promise<void> => {
  if (snapshots.length === 0) return;
  const { members, lots, holds, orders } = projectionRows(snapshots);
  const sql = projectionSql(tables);
  const run = async (statement: (bulk: BulkParams, rows: Rows) => string, rows: Rows) => {
    const bulk = new BulkParams();
    await query(statement(bulk, rows), bulk.values);
  };
  await run(sql.upsertMembers, members);
  const ids = members.map((m) => m.member_id);
  await query(`DELETE FROM ${tables.openLots} WHERE member_id = ANY($1)`, [ids]);
  await query(`DELETE FROM ${tables.openHolds} WHERE member_id = ANY($1)`, [ids]);
  if (lots.length > 0) await run(sql.upsertLots, lots);
  if (holds.length > 0) await run(sql.upsertHolds, holds);
  if (orders.length > 0) await run(sql.upsertOrders, orders);
};
