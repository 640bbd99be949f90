import { LedgerEventType, NewLedgerEvent } from '@tally/contracts';
import { MemberFold, MemberState, initialMemberState } from '@tally/member-ledger';
import { GENESIS_HASH, HashHex } from '../hashing/event-hash';
import { textArray } from '../append/bulk-params';
import { decodeEventData } from '../storage/event-codec';
import { LoadedMember, MemberStateCache } from './member-state.cache';
import { StoredSnapshot, decodeSnapshot } from './snapshot-codec';
import { OrderKey, StoredOrder, orderParams, storedOrdersJson } from './stored-orders';
import { Query } from '../database/query';

/** A member's chain head as `member_state` has it. */
export interface MemberHead {
  version: number;
  lastHash: HashHex;
}

/** The heads of some members, and the projection generation they belong to. */
export interface Heads {
  members: ReadonlyMap<string, MemberHead>;
  /** Unknown when none of the members has a head yet. */
  generation?: string;
}

/** A snapshot is written once a member is this many versions past its last one. */
export const SNAPSHOT_EVERY = 16;
/**
 * The shape and meaning of a folded state. Bump it whenever `evolveMember` would fold the same
 * events into a different state: older snapshots are then ignored and folded again from the log.
 * 3: days carry `checkedIn`. A revision-2 snapshot has none, and folded from it a member's earlier
 * check-ins would look unrewarded to a late one; folded from the log, every kept day has its mark.
 * 4: days are kept for 400 days, not 35. A revision-3 snapshot dropped the older ones, which a
 * late-input window longer than 35 days would take for days without activity.
 */
export const SNAPSHOT_REVISION = 4;

/** What a snapshot plus the events after it look like when loaded in one statement. */
interface StoredTail {
  member_id: string;
  snapshot_version: number | null;
  state: StoredSnapshot | null;
  events: [number, LedgerEventType, string, unknown[]][] | null;
}

/** Each member `m`'s latest snapshot of this revision (`s`) and the events after it (`t`). */
const SNAPSHOT_AND_TAIL = `
    LEFT JOIN LATERAL (
      SELECT version, state FROM member_snapshots WHERE member_id = m.member_id AND revision = $2 LIMIT 1
    ) s ON true
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_array(e.version, e.type, e.occurred_at, e.data) ORDER BY e.version) AS events
        FROM ledger_events e WHERE e.member_id = m.member_id AND e.version > coalesce(s.version, 0)
    ) t ON true`;

const LOAD_SQL = `
  SELECT m.member_id, s.version AS snapshot_version, s.state, t.events
    FROM unnest($1::text[]) AS m(member_id) ${SNAPSHOT_AND_TAIL}`;

const LOAD_CURRENT_SQL = `
  SELECT m.member_id, m.version AS head_version, encode(m.last_hash, 'hex') AS last_hash, g.generation::text AS generation,
         s.version AS snapshot_version, s.state, t.events
    FROM member_state m CROSS JOIN projection_generation g ${SNAPSHOT_AND_TAIL}
   WHERE m.member_id = ANY($1::text[])`;

/** A stored event as the fold takes it. */
export const storedEvent = (memberId: string, type: LedgerEventType, occurredAt: string, data: unknown[]): NewLedgerEvent =>
  ({ type, memberId, occurredAt, data: decodeEventData(type, data) }) as NewLedgerEvent;

/** A member folded from its snapshot and the events after it, checked against the head it was read with. */
const foldTail = (row: StoredTail, head: MemberHead): LoadedMember => {
  const fold = MemberFold.owning(row.state ? decodeSnapshot(row.member_id, row.state) : initialMemberState(row.member_id));
  for (const [version, type, occurredAt, data] of row.events ?? []) {
    fold.apply(storedEvent(row.member_id, type, new Date(occurredAt).toISOString(), data), version);
  }
  const state = fold.state;
  if (state.version > head.version) {
    // Heads and log come from one statement or under the heads' locks, so this cannot happen; if it ever does, decide again.
    throw Object.assign(new Error(`member ${row.member_id} moved on while it was loaded`), { code: '40001' });
  }
  if (state.version < head.version) {
    throw new Error(`member ${row.member_id}: the log folds to version ${state.version}, its head says ${head.version}`);
  }
  return { state, lastHash: head.lastHash, snapshotVersion: row.snapshot_version ?? 0 };
};

/**
 * Members' folded states. The state is not rewritten on every append: it is a snapshot every
 * `SNAPSHOT_EVERY` versions plus the events since, folded on load, and the states this process
 * folded last are kept in memory for the very head they are at. An append then reads and writes
 * a few dozen bytes per member instead of its whole state.
 */
export class MemberStates {
  private currentGeneration?: string;

  constructor(readonly cache: MemberStateCache) {}

  /** The projection generation the cached states belong to; unknown until heads were first read. */
  get generation(): string | undefined {
    return this.currentGeneration;
  }

  /** Reads the projection generation when it is not known yet (no member read had a head). */
  async knowGeneration(query: Query): Promise<string> {
    if (this.currentGeneration === undefined) {
      const [row] = await query('SELECT generation::text AS generation FROM projection_generation', [], 'tally_generation');
      this.currentGeneration = row.generation as string;
    }
    return this.currentGeneration;
  }

  /**
   * The states at `heads` (members without a head start empty), handed over to the caller: states
   * taken from the cache leave it until the caller puts them back (`MemberStateCache.remember`).
   */
  async load(query: Query, memberIds: readonly string[], { members: heads, generation }: Heads): Promise<Map<string, LoadedMember>> {
    this.noteGeneration(generation);
    const loaded = new Map<string, LoadedMember>();
    const missing: string[] = [];
    for (const memberId of memberIds) {
      const head = heads.get(memberId);
      if (!head) loaded.set(memberId, { state: initialMemberState(memberId), lastHash: GENESIS_HASH, snapshotVersion: 0 });
      else {
        const cached = this.cache.take(memberId, head.version, head.lastHash);
        if (cached) loaded.set(memberId, cached);
        else missing.push(memberId);
      }
    }
    if (missing.length === 0) return loaded;
    const rows: StoredTail[] = await query(LOAD_SQL, [textArray(missing), SNAPSHOT_REVISION], 'tally_load_states');
    for (const row of rows) loaded.set(row.member_id, foldTail(row, heads.get(row.member_id) as MemberHead));
    return loaded;
  }

  /**
   * The states of these members as they are now, heads and all read in one statement (one
   * snapshot of the database, so nothing can move on between the head and the log); members
   * without a head start empty. For an append that takes no locks: its write checks the heads.
   */
  async loadCurrent(
    query: Query,
    memberIds: readonly string[],
    orders: readonly OrderKey[] = [],
  ): Promise<{ loaded: Map<string, LoadedMember>; orders: StoredOrder[] }> {
    // The orders ride along in the same statement: a row even when no member has a head yet.
    const rows: (Partial<StoredTail & { head_version: number; last_hash: HashHex; generation: string }> & { orders: StoredOrder[] | null })[] = await query(
      `SELECT w.orders, c.* FROM (SELECT ${storedOrdersJson('$3', '$4')} AS orders) w LEFT JOIN LATERAL (${LOAD_CURRENT_SQL}) c ON true`,
      [textArray(memberIds), SNAPSHOT_REVISION, ...orderParams(orders)],
      'tally_load_current',
    );
    this.noteGeneration(rows[0]?.generation ?? undefined);
    const loaded = new Map<string, LoadedMember>();
    for (const row of rows) {
      if (row.member_id) loaded.set(row.member_id, foldTail(row as StoredTail, { version: row.head_version as number, lastHash: row.last_hash as HashHex }));
    }
    for (const memberId of memberIds) {
      if (!loaded.has(memberId)) loaded.set(memberId, { state: initialMemberState(memberId), lastHash: GENESIS_HASH, snapshotVersion: 0 });
    }
    return { loaded, orders: rows[0]?.orders ?? [] };
  }

  /** A replay swapped projections in: what was folded before may rest on what it replaced. */
  private noteGeneration(generation: string | undefined): void {
    if (generation !== undefined && generation !== this.currentGeneration) {
      this.cache.clear();
      this.currentGeneration = generation;
    }
  }

  /** Puts states handed over by `load` back in the cache, unless a replay swap came in between. */
  putBack(entries: Iterable<[string, LoadedMember]>, generation: string | undefined): void {
    if (generation !== undefined && generation !== this.currentGeneration) return;
    for (const [memberId, entry] of entries) this.cache.remember(memberId, entry);
  }

  /**
   * Current states of existing members, read outside any append (read API, sweeps). They are
   * folded from the snapshots and the log in one statement, never taken from the cache: an append
   * may be folding into a cached state in place while the reader still looks at it.
   */
  async read(query: Query, memberIds: readonly string[]): Promise<Map<string, MemberState>> {
    const { loaded } = await this.loadCurrent(query, memberIds);
    // Version 0 is a member without a head: one that does not exist.
    return new Map([...loaded].filter(([, entry]) => entry.state.version > 0).map(([id, entry]) => [id, entry.state]));
  }
}

/** The heads of these members, locked for the rest of the transaction (in id order: no deadlocks). */
export const lockHeads = async (query: Query, memberIds: readonly string[]): Promise<Heads> => {
  // The head as hex, as the chain keeps it: no Buffer parsed from bytea's text only to be written back.
  const rows: { member_id: string; version: number; last_hash: HashHex; generation: string }[] = await query(
    `SELECT m.member_id, m.version, encode(m.last_hash, 'hex') AS last_hash, g.generation FROM member_state m CROSS JOIN projection_generation g
      WHERE m.member_id = ANY($1::text[]) ORDER BY m.member_id FOR UPDATE OF m`,
    [textArray(memberIds)],
    'tally_lock_heads',
  );
  return { members: new Map(rows.map((r) => [r.member_id, { version: r.version, lastHash: r.last_hash }])), generation: rows[0]?.generation };
};
