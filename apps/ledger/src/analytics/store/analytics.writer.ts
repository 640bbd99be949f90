import { LedgerEventMessage } from '@tally/contracts';
import { AnalyticsDeltas, AnalyticsMember, FoldContext, foldAnalytics } from '../fold/analytics.fold';

/** What the writer needs of a connection inside a transaction. */
export type RunQuery = (sql: string, parameters?: unknown[]) => Promise<unknown[]>;

/**
 * Arbitrary key of the advisory lock every change of the read model takes for its transaction:
 * shared by the consumer's batches (they may run side by side: each locks its members, then the
 * aggregate rows table by table in key order, so two never wait on each other in a cycle), and
 * exclusive for a rebuild, which so never sees a watermark the consumer set for an event the
 * rebuild has not folded yet.
 */
export const ANALYTICS_LOCK_KEY = 7_366_026;

/** Every table the writer keeps (a rebuild empties them; `analytics_progress` is reset instead). */
export const READ_MODEL_TABLES = [
  'analytics_members',
  'analytics_daily',
  'analytics_active_days',
  'analytics_last_active',
  'analytics_tiers',
  'analytics_tier_moves',
  'analytics_rewards',
  'analytics_totals',
  'leaderboard_points',
  'leaderboard_boards',
];

interface MemberRow {
  member_id: string;
  version: number;
  available: string;
  pending: string;
  held: string;
  tier: string;
  last_active_day: string | null;
}

const sorted = <T>(map: Map<string, T>): T[] => [...map.keys()].sort().map((key) => map.get(key) as T);

const readMembers = async (query: RunQuery, memberIds: string[]): Promise<Map<string, AnalyticsMember>> => {
  const rows = (await query(
    `SELECT member_id, version, available, pending, held, tier, to_char(last_active_day, 'YYYY-MM-DD') AS last_active_day
       FROM analytics_members WHERE member_id = ANY($1::text[]) ORDER BY member_id FOR UPDATE`,
    [memberIds],
  )) as MemberRow[];
  return new Map(
    rows.map((r) => [
      r.member_id,
      {
        memberId: r.member_id,
        version: r.version,
        available: Number(r.available),
        pending: Number(r.pending),
        held: Number(r.held),
        tier: r.tier,
        lastActiveDay: r.last_active_day,
      },
    ]),
  );
};

const writeMembers = (query: RunQuery, members: AnalyticsMember[]) =>
  query(
    `INSERT INTO analytics_members (member_id, version, available, pending, held, tier, last_active_day)
     SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::date[])
     ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version, available = EXCLUDED.available, pending = EXCLUDED.pending,
       held = EXCLUDED.held, tier = EXCLUDED.tier, last_active_day = EXCLUDED.last_active_day`,
    [
      members.map((m) => m.memberId),
      members.map((m) => m.version),
      members.map((m) => m.available),
      members.map((m) => m.pending),
      members.map((m) => m.held),
      members.map((m) => m.tier),
      members.map((m) => m.lastActiveDay),
    ],
  );

const writeDaily = (query: RunQuery, deltas: AnalyticsDeltas) => {
  const rows = sorted(deltas.daily);
  const column = (pick: (r: (typeof rows)[number]) => unknown) => rows.map(pick);
  return query(
    `INSERT INTO analytics_daily (day, store_id, channel, reason, earned, redeemed, captured, reversed, expired, clawed_back, adjusted, events)
     SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
       $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[])
     ON CONFLICT (day, store_id, channel, reason) DO UPDATE SET
       earned = analytics_daily.earned + EXCLUDED.earned, redeemed = analytics_daily.redeemed + EXCLUDED.redeemed,
       captured = analytics_daily.captured + EXCLUDED.captured, reversed = analytics_daily.reversed + EXCLUDED.reversed,
       expired = analytics_daily.expired + EXCLUDED.expired, clawed_back = analytics_daily.clawed_back + EXCLUDED.clawed_back,
       adjusted = analytics_daily.adjusted + EXCLUDED.adjusted, events = analytics_daily.events + EXCLUDED.events`,
    [
      column((r) => r.day),
      column((r) => r.storeId),
      column((r) => r.channel),
      column((r) => r.reason),
      column((r) => r.earned),
      column((r) => r.redeemed),
      column((r) => r.captured),
      column((r) => r.reversed),
      column((r) => r.expired),
      column((r) => r.clawedBack),
      column((r) => r.adjusted),
      column((r) => r.events),
    ],
  );
};

/** Adds counts to a table keyed by one column. */
const addCounts = (query: RunQuery, table: string, key: { column: string; type: 'text' | 'date' }, valueColumn: string, counts: Map<string, number>) => {
  const keys = [...counts.keys()].sort();
  const keyColumn = key.column;
  return query(
    `INSERT INTO ${table} (${keyColumn}, ${valueColumn}) SELECT * FROM unnest($1::${key.type}[], $2::bigint[])
     ON CONFLICT (${keyColumn}) DO UPDATE SET ${valueColumn} = ${table}.${valueColumn} + EXCLUDED.${valueColumn}`,
    [keys, keys.map((k) => counts.get(k))],
  );
};

const writeTierMoves = (query: RunQuery, deltas: AnalyticsDeltas) => {
  const rows = sorted(deltas.tierMoves);
  return query(
    `INSERT INTO analytics_tier_moves (day, from_tier, to_tier, moves) SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[])
     ON CONFLICT (day, from_tier, to_tier) DO UPDATE SET moves = analytics_tier_moves.moves + EXCLUDED.moves`,
    [rows.map((r) => r.day), rows.map((r) => r.from), rows.map((r) => r.to), rows.map((r) => r.moves)],
  );
};

const writeRewards = (query: RunQuery, deltas: AnalyticsDeltas) => {
  const rows = sorted(deltas.rewards);
  return query(
    `INSERT INTO analytics_rewards (day, store_id, reward_id, redemptions, points)
     SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
     ON CONFLICT (day, store_id, reward_id) DO UPDATE SET redemptions = analytics_rewards.redemptions + EXCLUDED.redemptions,
       points = analytics_rewards.points + EXCLUDED.points`,
    [rows.map((r) => r.day), rows.map((r) => r.storeId), rows.map((r) => r.rewardId), rows.map((r) => r.redemptions), rows.map((r) => r.points)],
  );
};

/** A leaderboard: a period's key, overall (store '') or in a store. */
type Board = { period: string; key: string; storeId: string };

const boardKey = (board: Board) => `${board.period}|${board.key}|${board.storeId}`;

const idOf = (ids: Map<string, number>, board: Board): number => {
  const id = ids.get(boardKey(board));
  if (id === undefined) throw new Error(`leaderboard board ${boardKey(board)} was neither found nor created`);
  return id;
};

const readBoardIds = async (query: RunQuery, boards: Board[], ids: Map<string, number>): Promise<void> => {
  const rows = (await query(
    `SELECT b.board_id, b.period, b.period_key, b.store_id FROM unnest($1::text[], $2::text[], $3::text[]) AS k(period, period_key, store_id)
       JOIN leaderboard_boards b ON b.period = k.period AND b.period_key = k.period_key AND b.store_id = k.store_id`,
    [boards.map((b) => b.period), boards.map((b) => b.key), boards.map((b) => b.storeId)],
  )) as { board_id: number; period: string; period_key: string; store_id: string }[];
  for (const r of rows) ids.set(boardKey({ period: r.period, key: r.period_key, storeId: r.store_id }), r.board_id);
};

/**
 * The ids of the boards a batch adds to, creating those not seen before: most batches find all
 * of them (a board is a day, week, month or campaign, overall or in a store), so they are read
 * first. New boards are inserted in key order, as every table's rows are, so two batches never
 * wait on each other in a cycle; a board another batch is creating meanwhile is waited for, then read.
 */
const boardIds = async (query: RunQuery, deltas: AnalyticsDeltas): Promise<Map<string, number>> => {
  const boards = new Map<string, Board>();
  for (const row of deltas.boards.values()) boards.set(boardKey(row), row);
  const ids = new Map<string, number>();
  await readBoardIds(query, [...boards.values()], ids);
  const missing = [...boards.keys()]
    .filter((key) => !ids.has(key))
    .sort()
    .map((key) => boards.get(key) as Board);
  if (missing.length === 0) return ids;
  await query(
    `INSERT INTO leaderboard_boards (period, period_key, store_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (period, period_key, store_id) DO NOTHING`,
    [missing.map((b) => b.period), missing.map((b) => b.key), missing.map((b) => b.storeId)],
  );
  await readBoardIds(query, missing, ids);
  return ids;
};

/**
 * Points added per board and member. Unlike other tables' rows these are not sorted: every one is
 * a member's, so two batches meet on one only if they share its member, and the second of those
 * has waited at that member's row, which every batch locks or inserts in id order before anything else.
 */
const writeBoards = async (query: RunQuery, deltas: AnalyticsDeltas) => {
  if (deltas.boards.size === 0) return;
  const ids = await boardIds(query, deltas);
  const rows = [...deltas.boards.values()];
  return query(
    `INSERT INTO leaderboard_points (board_id, member_id, points) SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[])
     ON CONFLICT (board_id, member_id) DO UPDATE SET points = leaderboard_points.points + EXCLUDED.points`,
    [rows.map((r) => idOf(ids, r)), rows.map((r) => r.memberId), rows.map((r) => r.points)],
  );
};

const writeProgress = (query: RunQuery, deltas: AnalyticsDeltas) =>
  query(
    `UPDATE analytics_progress SET position = GREATEST(position, $1), last_recorded_at = GREATEST(last_recorded_at, $2::timestamptz),
       applied_at = now(), events_applied = events_applied + $3 WHERE id = 1`,
    [deltas.maxPosition, deltas.lastRecordedAt, deltas.applied],
  );

/**
 * Applies ledger events to the read model inside the caller's transaction: takes the read model's
 * lock, reads the members' watermarks, folds, and writes every aggregate by delta. Returns the deltas.
 */
export const applyToReadModel = async (query: RunQuery, events: readonly LedgerEventMessage[], context: FoldContext): Promise<AnalyticsDeltas> => {
  await query('SELECT pg_advisory_xact_lock_shared($1)', [ANALYTICS_LOCK_KEY]);
  const memberIds = [...new Set(events.map((e) => e.memberId))].sort();
  const known = await readMembers(query, memberIds);
  const deltas = foldAnalytics(events, known, context);
  if (deltas.applied === 0) return deltas;
  const t = deltas.totals;
  await writeMembers(query, sorted(deltas.members));
  // Rows of the batch's own members first: batches side by side write those at the same time.
  // The rows every batch shares (days, tiers, totals) last, so a batch holds their locks, which
  // the other waits for, only for its last statements and its commit.
  await writeBoards(query, deltas);
  await writeDaily(query, deltas);
  await addCounts(query, 'analytics_active_days', { column: 'day', type: 'date' }, 'members', deltas.activeDays);
  await addCounts(query, 'analytics_last_active', { column: 'day', type: 'date' }, 'members', deltas.lastActive);
  await addCounts(query, 'analytics_tiers', { column: 'tier', type: 'text' }, 'members', deltas.tiers);
  await writeTierMoves(query, deltas);
  await writeRewards(query, deltas);
  await addCounts(query, 'analytics_totals', { column: 'key', type: 'text' }, 'value', new Map(Object.entries(t)));
  await writeProgress(query, deltas);
  return deltas;
};
