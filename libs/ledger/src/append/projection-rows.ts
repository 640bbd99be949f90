import { MemberState, balanceOf } from '@tally/member-ledger';

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

export interface MemberSnapshot {
  state: MemberState;
  lastHash: Buffer;
}

/** Column arrays for one multi-row `unnest` insert per table: a whole batch in three statements. */
export const projectionColumns = (snapshots: MemberSnapshot[]) => {
  const members = {
    memberId: [] as string[],
    version: [] as number[],
    lastHash: [] as string[],
    available: [] as number[],
    pending: [] as number[],
    held: [] as number[],
    lifetimeEarned: [] as number[],
    lifetimeRedeemed: [] as number[],
    expired: [] as number[],
    tier: [] as string[],
    state: [] as string[],
  };
  const lots = {
    memberId: [] as string[],
    lotId: [] as string[],
    remaining: [] as number[],
    held: [] as number[],
    expiresAt: [] as string[],
    availableAt: [] as (string | null)[],
    pending: [] as boolean[],
  };
  const holds = { memberId: [] as string[], holdId: [] as string[], points: [] as number[], expiresAt: [] as string[] };
  for (const { state, lastHash } of snapshots) {
    const balance = balanceOf(state);
    members.memberId.push(state.memberId);
    members.version.push(state.version);
    members.lastHash.push(lastHash.toString('hex'));
    members.available.push(balance.available);
    members.pending.push(balance.pending);
    members.held.push(balance.held);
    members.lifetimeEarned.push(balance.lifetimeEarned);
    members.lifetimeRedeemed.push(balance.lifetimeRedeemed);
    members.expired.push(balance.expired);
    members.tier.push(balance.tier);
    members.state.push(JSON.stringify(state));
    for (const lot of Object.values(state.lots)) {
      lots.memberId.push(state.memberId);
      lots.lotId.push(lot.lotId);
      lots.remaining.push(lot.remaining);
      lots.held.push(lot.held);
      lots.expiresAt.push(lot.expiresAt);
      lots.availableAt.push(lot.pending ? (lot.availableAt ?? null) : null);
      lots.pending.push(lot.pending);
    }
    for (const [holdId, hold] of Object.entries(state.holds)) {
      if (hold.status !== 'open') continue;
      holds.memberId.push(state.memberId);
      holds.holdId.push(holdId);
      holds.points.push(hold.points);
      holds.expiresAt.push(hold.expiresAt);
    }
  }
  return { members, lots, holds };
};

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/** Replaces the projection rows of the given members with those derived from their states. */
export const writeProjections = async (query: Query, tables: ProjectionTables, snapshots: MemberSnapshot[]): Promise<void> => {
  if (snapshots.length === 0) return;
  const { members, lots, holds } = projectionColumns(snapshots);
  await query(
    `INSERT INTO ${tables.memberState} (member_id, version, last_hash, available, pending, held, lifetime_earned,
       lifetime_redeemed, expired, tier, state)
     SELECT m, v, decode(h, 'hex'), a, p, hd, le, lr, ex, t, s
       FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                   $8::bigint[], $9::bigint[], $10::text[], $11::jsonb[]) AS x(m, v, h, a, p, hd, le, lr, ex, t, s)
     ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version, last_hash = EXCLUDED.last_hash,
       available = EXCLUDED.available, pending = EXCLUDED.pending, held = EXCLUDED.held,
       lifetime_earned = EXCLUDED.lifetime_earned, lifetime_redeemed = EXCLUDED.lifetime_redeemed,
       expired = EXCLUDED.expired, tier = EXCLUDED.tier, state = EXCLUDED.state`,
    [
      members.memberId,
      members.version,
      members.lastHash,
      members.available,
      members.pending,
      members.held,
      members.lifetimeEarned,
      members.lifetimeRedeemed,
      members.expired,
      members.tier,
      members.state,
    ],
  );
  await query(`DELETE FROM ${tables.openLots} WHERE member_id = ANY($1)`, [members.memberId]);
  if (lots.memberId.length > 0) {
    await query(
      `INSERT INTO ${tables.openLots} (member_id, lot_id, remaining, held, expires_at, available_at, pending)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::timestamptz[], $7::boolean[])`,
      [lots.memberId, lots.lotId, lots.remaining, lots.held, lots.expiresAt, lots.availableAt, lots.pending],
    );
  }
  await query(`DELETE FROM ${tables.openHolds} WHERE member_id = ANY($1)`, [members.memberId]);
  if (holds.memberId.length > 0) {
    await query(
      `INSERT INTO ${tables.openHolds} (member_id, hold_id, points, expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])`,
      [holds.memberId, holds.holdId, holds.points, holds.expiresAt],
    );
  }
};
