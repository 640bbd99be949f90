import { Lot, MemberState, balanceOf } from '@tally/member-ledger';

/** The names of one set of projection tables: live, or a rebuild being prepared beside them. */
export interface ProjectionTables {
  memberState: string;
  openLots: string;
  openHolds: string;
}

export const LIVE_TABLES: ProjectionTables = { memberState: 'member_state', openLots: 'open_lots', openHolds: 'open_holds' };
export const REBUILD_TABLES: ProjectionTables = {
  memberState: 'member_state_rebuild',
  openLots: 'open_lots_rebuild',
  openHolds: 'open_holds_rebuild',
};

/** A member's folded state and the hash of its last event. */
export interface MemberSnapshot {
  state: MemberState;
  lastHash: Buffer;
}

/** What the projection tables held for these members before: their states, or unknown ('replace'). */
export type PreviousStates = ReadonlyMap<string, MemberState> | 'replace';

const NO_STATE = { lots: {}, holds: {} } as unknown as MemberState;

const lotRow = (memberId: string, lot: Lot) => ({
  member_id: memberId,
  lot_id: lot.lotId,
  remaining: lot.remaining,
  held: lot.held,
  expires_at: lot.expiresAt,
  available_at: lot.pending ? (lot.availableAt ?? null) : null,
  pending: lot.pending,
  lot_order: lot.order,
});

const sameLot = (a: Lot, b: Lot) =>
  a.remaining === b.remaining && a.held === b.held && a.pending === b.pending && a.expiresAt === b.expiresAt &&
  a.availableAt === b.availableAt && a.order === b.order;

/**
 * Rows for one multi-row statement per table. They travel as one JSON document expanded by
 * `json_to_recordset`: PostgreSQL parses that about three times faster than a set of array
 * parameters (whose JSON elements need escaping twice). Lots and holds are diffed against the
 * previous states, so a member with many lots costs only the lots that changed.
 */
export const projectionRows = (snapshots: MemberSnapshot[], previous: PreviousStates) => {
  const members: Record<string, unknown>[] = [];
  const lots: Record<string, unknown>[] = [];
  const goneLots: { member_id: string; lot_id: string }[] = [];
  const holds: Record<string, unknown>[] = [];
  const goneHolds: { member_id: string; hold_id: string }[] = [];
  for (const { state, lastHash } of snapshots) {
    const balance = balanceOf(state);
    const before = previous === 'replace' ? NO_STATE : (previous.get(state.memberId) ?? NO_STATE);
    members.push({
      member_id: state.memberId,
      version: state.version,
      last_hash: lastHash.toString('hex'),
      available: balance.available,
      pending: balance.pending,
      held: balance.held,
      debt: state.debt,
      lifetime_earned: balance.lifetimeEarned,
      lifetime_redeemed: balance.lifetimeRedeemed,
      expired: balance.expired,
      tier: balance.tier,
    });
    for (const lot of Object.values(state.lots)) {
      const old = before.lots[lot.lotId];
      if (!old || !sameLot(old, lot)) lots.push(lotRow(state.memberId, lot));
    }
    for (const lotId of Object.keys(before.lots)) {
      if (!state.lots[lotId]) goneLots.push({ member_id: state.memberId, lot_id: lotId });
    }
    const open = (s: MemberState) => Object.entries(s.holds).filter(([, hold]) => hold.status === 'open');
    const openBefore = new Map(open(before));
    for (const [holdId, hold] of open(state)) {
      if (!openBefore.has(holdId)) holds.push({ member_id: state.memberId, hold_id: holdId, points: hold.points, expires_at: hold.expiresAt });
      openBefore.delete(holdId);
    }
    for (const holdId of openBefore.keys()) goneHolds.push({ member_id: state.memberId, hold_id: holdId });
  }
  return { members, lots, goneLots, holds, goneHolds };
};

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/** Each statement reads its rows from one JSON parameter: `$n` is filled in by the caller. */
export const projectionSql = (tables: ProjectionTables) => ({
  upsertMembers: (n: number) =>
    `INSERT INTO ${tables.memberState} (member_id, version, available, pending, held, debt, lifetime_earned,
       lifetime_redeemed, expired, tier, last_hash)
     SELECT member_id, version, available, pending, held, debt, lifetime_earned, lifetime_redeemed, expired, tier,
            decode(last_hash, 'hex')
       FROM json_to_recordset($${n}::json) AS x(member_id text, version int, last_hash text, available bigint, pending bigint,
            held bigint, debt bigint, lifetime_earned bigint, lifetime_redeemed bigint, expired bigint, tier text)
     ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version, last_hash = EXCLUDED.last_hash,
       available = EXCLUDED.available, pending = EXCLUDED.pending, held = EXCLUDED.held, debt = EXCLUDED.debt,
       lifetime_earned = EXCLUDED.lifetime_earned, lifetime_redeemed = EXCLUDED.lifetime_redeemed,
       expired = EXCLUDED.expired, tier = EXCLUDED.tier`,
  deleteLots: (n: number) =>
    `DELETE FROM ${tables.openLots} l USING json_to_recordset($${n}::json) AS x(member_id text, lot_id text)
      WHERE l.member_id = x.member_id AND l.lot_id = x.lot_id`,
  upsertLots: (n: number) =>
    `INSERT INTO ${tables.openLots} (member_id, lot_id, remaining, held, expires_at, available_at, pending, lot_order)
     SELECT * FROM json_to_recordset($${n}::json) AS x(member_id text, lot_id text, remaining bigint, held bigint,
            expires_at timestamptz, available_at timestamptz, pending boolean, lot_order int)
     ON CONFLICT (member_id, lot_id) DO UPDATE SET remaining = EXCLUDED.remaining, held = EXCLUDED.held,
       expires_at = EXCLUDED.expires_at, available_at = EXCLUDED.available_at, pending = EXCLUDED.pending,
       lot_order = EXCLUDED.lot_order`,
  deleteHolds: (n: number) =>
    `DELETE FROM ${tables.openHolds} h USING json_to_recordset($${n}::json) AS x(member_id text, hold_id text)
      WHERE h.member_id = x.member_id AND h.hold_id = x.hold_id`,
  upsertHolds: (n: number) =>
    `INSERT INTO ${tables.openHolds} (member_id, hold_id, points, expires_at)
     SELECT * FROM json_to_recordset($${n}::json) AS x(member_id text, hold_id text, points bigint, expires_at timestamptz)
     ON CONFLICT (member_id, hold_id) DO UPDATE SET points = EXCLUDED.points, expires_at = EXCLUDED.expires_at`,
});

/**
 * Brings the projection rows of the given members in line with their states, a statement per
 * table (replay uses this; appends fold the same statements into their one write, see LedgerStore).
 * With `previous` states only the differences are written; with 'replace' rows are rewritten whole.
 */
export const writeProjections = async (
  query: Query,
  tables: ProjectionTables,
  snapshots: MemberSnapshot[],
  previous: PreviousStates,
): Promise<void> => {
  if (snapshots.length === 0) return;
  const { members, lots, goneLots, holds, goneHolds } = projectionRows(snapshots, previous);
  const sql = projectionSql(tables);
  await query(sql.upsertMembers(1), [JSON.stringify(members)]);
  if (previous === 'replace') {
    const ids = members.map((m) => m.member_id);
    await query(`DELETE FROM ${tables.openLots} WHERE member_id = ANY($1)`, [ids]);
    await query(`DELETE FROM ${tables.openHolds} WHERE member_id = ANY($1)`, [ids]);
  }
  if (goneLots.length > 0) await query(sql.deleteLots(1), [JSON.stringify(goneLots)]);
  if (lots.length > 0) await query(sql.upsertLots(1), [JSON.stringify(lots)]);
  if (goneHolds.length > 0) await query(sql.deleteHolds(1), [JSON.stringify(goneHolds)]);
  if (holds.length > 0) await query(sql.upsertHolds(1), [JSON.stringify(holds)]);
};
