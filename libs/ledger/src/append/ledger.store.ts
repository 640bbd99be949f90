import { NewLedgerEvent } from '@tally/contracts';
import { TransientError } from '@tally/platform';
import { MemberFold, MemberState, keyed } from '@tally/member-ledger';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { HashHex, assertHashableId, eventHash } from '../hashing/event-hash';
import { DEFAULT_STATE_CACHE_SIZE, LoadedMember, MemberStateCache } from '../state/member-state.cache';
import { MemberStates, Query, SNAPSHOT_EVERY, SNAPSHOT_REVISION, preparedQueryOf, lockHeads } from '../state/member-states';
import { encodeEventData } from '../storage/event-codec';
import { storedInstantText, timestamptzText } from '../storage/epoch-iso';
import { OrderKey, attachOrders, dropOrders, readStoredOrders } from '../state/stored-orders';
import { StoredSnapshot, encodeSnapshot } from '../state/snapshot-codec';
import { AppendedEvent, CommandResult, LedgerCommand } from './ledger-command';
import { BulkColumn, BulkParams, textArray } from './bulk-params';
import { LIVE_TABLES, changedRows, projectionSql } from './projection-rows';

export interface LedgerStoreOptions {
  clock: () => Date;
  newEventId: () => string;
  /** Attempts before a conflict is reported: each attempt re-decides on fresh state. */
  maxAttempts?: number;
  /** Where states are loaded from and kept between appends (one per process is best). */
  states?: MemberStates;
  /**
   * Connections of the appends' own (`ledgerAppendPool`), which plan each of the store's
   * statements once per connection; without it appends share the data source's connections.
   */
  pool?: Pool;
}

/** A connection for one attempt, and how to give it back (with an error: closed, not reused). */
type Lease = [PoolClient, (error?: Error) => void];

/** An instant as `toISOString()` writes it: stored and hashed as it is, with no parse. */
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A refused input's `occurredAt` as the rejection row keeps it. The input's own text may name an
 * instant PostgreSQL would refuse to read as written (year 0000, an offset beyond 15:59): one
 * refusal must not fail its whole batch. Kept to the millisecond, as the decision read it.
 */
const rejectionInstant = (occurredAt: string | undefined): string | null => {
  const ms = occurredAt === undefined ? Number.NaN : Date.parse(occurredAt);
  return Number.isNaN(ms) ? null : timestamptzText(ms);
};

/** PostgreSQL errors that mean "someone else changed the same member meanwhile": re-decide. */
const RETRYABLE = new Set(['23505', '40P01', '40001']);

/** Transient: the consumer retries the batch instead of blaming one of its messages. */
export class ConcurrencyConflictError extends TransientError {
  constructor(readonly attempts: number, cause: unknown) {
    super(`ledger append still conflicting after ${attempts} attempts: ${(cause as Error).message}`);
  }
}

/** A row to insert, with its data already in stored form (the text the hash covers). */
interface EventRow {
  memberId: string;
  version: number;
  eventId: string;
  type: string;
  occurredAt: string;
  causationId: string;
  dataText: string;
  hash: HashHex;
}

interface CausationRow {
  scope: string;
  id: string;
  outcome: string;
  fingerprint: string | null;
  result: unknown;
  /** The version of the command's first member when it was decided. */
  memberVersion: number;
}

interface RejectionRow {
  scope: string;
  id: string;
  memberId: string;
  code: string;
  message: string;
  occurredAt: string | null;
  input: unknown;
  /** The version of the refused member the refusal was decided on. */
  memberVersion: number;
  final: boolean;
}

/** What one attempt decided: the rows to write, the replies, and the states it leaves behind. */
interface Decided<R> {
  /** The append time of every event in the batch (it is hashed into each). */
  recordedAt: string;
  events: EventRow[];
  causations: CausationRow[];
  rejections: RejectionRow[];
  /**
   * The causations of the commands that record none (skips, refusals that are not final): taken
   * for unanswered, which the write checks. One answered already is a duplicate, found under locks.
   */
  unrecorded: { scope: string; id: string }[];
  results: CommandResult<R>[];
  members: Map<string, LoadedMember>;
  /** The folds of the members this batch appends to, one each. */
  folds: Map<string, MemberFold>;
  /**
   * The version every member the batch decided on was at before its first decision: whether it
   * appended, refused or skipped, the write checks that it is still the member's head.
   */
  bases: Map<string, number>;
  touched: Set<string>;
  /** The orders read before deciding (`orderKey`): any other order the batch writes is new. */
  storedOrders: Set<string>;
  /**
   * Lots the batch's earnings opened, by id (ids are minted with the decision, so none is stored
   * yet): written by a plain insert. A lot an event reopens (a reversal into a closed lot) is not
   * one, as it may still be stored if it closed in this same batch.
   */
  openedLots: Set<string>;
}

/**
 * Appends decisions to the log with their projections, all of one call or none of it. Each
 * command is decided on the states the earlier commands of the same call left, a duplicate
 * causation appends nothing, and members are locked in id order (no deadlocks between calls).
 */
export class LedgerStore {
  private readonly maxAttempts: number;
  readonly states: MemberStates;

  constructor(private readonly dataSource: DataSource, private readonly options: LedgerStoreOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.states = options.states ?? new MemberStates(new MemberStateCache(DEFAULT_STATE_CACHE_SIZE));
  }

  /**
   * Decides and appends the commands. The first attempt takes no lock and reads no causation: it
   * decides on the cached states and writes everything in one statement that fails, whole, if any
   * member it decided on (appended to, refused or skipped) moved on meanwhile, or a causation was
   * seen before. A refusal or a skip is as much a decision as an append: none is answered on a
   * state the statement did not find at the member's head. Every later attempt locks the members
   * and reads the causations first, and decides again on what it finds.
   */
  async execute<R>(commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const optimistic = attempt === 1 && this.states.generation !== undefined;
        return optimistic ? await this.attemptWithoutLocks(commands) : await this.attemptUnderLocks(commands);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code)) throw error;
        if (attempt >= this.maxAttempts) throw new ConcurrencyConflictError(attempt, error);
      }
    }
  }

  async executeOne<R>(command: LedgerCommand<R>): Promise<CommandResult<R>> {
    const [result] = await this.execute([command]);
    return result;
  }

  /**
   * One transaction with the members locked and the causations read. The states it loads are
   * handed over by the cache and folded into in place; after a commit they go back at their new
   * heads, after a failure only those left untouched do.
   */
  private async attemptUnderLocks<R>(commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    const [client, release] = await this.connect();
    const held: Held<R> = {};
    const query = preparedQueryOf(client);
    let open = false;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      open = true;
      const memberIds = membersOf(commands);
      const heads = await lockHeads(query, memberIds);
      held.loaded = await this.states.load(query, memberIds, heads);
      await loadOrders(query, [...ordersOf(commands), ...newOrdersOf(commands)], held.loaded);
      held.generation = heads.generation ?? (await this.states.knowGeneration(query));
      held.decided = this.decide(commands, held.loaded, await findCausations(query, commands));
      await writeBatch(query, held.decided, held.generation);
      open = false;
      await client.query('COMMIT');
      return this.committed(held as Required<Held<R>>);
    } catch (error) {
      // A connection whose rollback or commit failed is closed rather than handed to the next attempt.
      if (open) broken = await client.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError);
      else broken = error as Error;
      this.failed(held);
      throw error;
    } finally {
      release(broken);
    }
  }

  /**
   * One statement, no transaction around it: states from the cache as they are (members missing
   * from it are read without locks), no causations and no new orders read. The statement itself
   * refuses to write when any of that turns out stale (a new order inserted, not upserted, that
   * exists after all is a unique violation; a skip or a refusal that is not final whose causation
   * has an answer after all fails its check), and `execute` then decides again under locks.
   */
  private async attemptWithoutLocks<R>(commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    const [client, release] = await this.connect();
    const held: Held<R> = { loaded: new Map(), generation: this.states.generation };
    try {
      const query = preparedQueryOf(client);
      const missing: string[] = [];
      for (const memberId of membersOf(commands)) {
        const cached = this.states.cache.takeUnverified(memberId);
        if (cached) held.loaded?.set(memberId, cached);
        else missing.push(memberId);
      }
      if (missing.length > 0) {
        const current = await this.states.loadCurrent(query, missing, ordersOf(commands));
        for (const [memberId, entry] of current.loaded) held.loaded?.set(memberId, entry);
        held.generation = this.states.generation;
        attachOrders(current.orders, held.loaded as Map<string, LoadedMember>);
      } else await loadOrders(query, ordersOf(commands), held.loaded as Map<string, LoadedMember>);
      held.decided = this.decide(commands, held.loaded as Map<string, LoadedMember>, new Map());
      await writeBatch(query, held.decided, held.generation);
      return this.committed(held as Required<Held<R>>);
    } catch (error) {
      this.failed(held);
      throw error;
    } finally {
      release();
    }
  }

  private async connect(): Promise<Lease> {
    if (this.options.pool) {
      const client = await this.options.pool.connect();
      return [client, (error) => client.release(error)];
    }
    return (this.dataSource.driver as PostgresDriver).obtainMasterConnection() as Promise<Lease>;
  }

  private committed<R>(held: Required<Held<R>>): CommandResult<R>[] {
    this.states.putBack(held.decided.members, held.generation);
    return held.decided.results;
  }

  /** States an attempt folded into are not put back: they may hold what was never committed. */
  private failed<R>(held: Held<R>): void {
    if (!held.loaded) return;
    const touched = held.decided?.touched ?? new Set(held.loaded.keys());
    this.states.putBack([...held.loaded].filter(([id]) => !touched.has(id)), held.generation);
  }

  private decide<R>(commands: LedgerCommand<R>[], loaded: Map<string, LoadedMember>, seen: Map<string, SeenCausation>): Decided<R> {
    const recordedAt = this.options.clock().toISOString();
    const decided: Decided<R> = {
      recordedAt,
      events: [],
      causations: [],
      rejections: [],
      unrecorded: [],
      results: [],
      members: new Map(loaded),
      folds: new Map(),
      bases: new Map(),
      touched: new Set(),
      storedOrders: storedOrderKeys(loaded),
      openedLots: new Set(),
    };
    // One record for every command's states, emptied after each: a new one per command was a
    // dictionary object allocated for every purchase.
    const view = keyed<MemberState>();
    for (const command of commands) {
      assertHashableId('causationId', command.causationId);
      const key = causationKey(command.scope, command.causationId);
      const earlier = seen.get(key);
      if (earlier) {
        decided.results.push({
          status: 'duplicate',
          result: earlier.result,
          outcome: earlier.outcome,
          fingerprint: earlier.fingerprint,
          sameFingerprint: (earlier.fingerprint ?? null) === (command.fingerprint ?? null),
        });
        continue;
      }
      for (const id of command.memberIds) {
        const { state } = decided.members.get(id) as LoadedMember;
        view[id] = state;
        if (!decided.bases.has(id)) decided.bases.set(id, state.version);
      }
      const outcome = command.decide(view);
      for (const id of command.memberIds) delete view[id];
      const fingerprint = command.fingerprint ?? null;
      if (outcome.kind === 'skip') {
        decided.unrecorded.push({ scope: command.scope, id: command.causationId });
        decided.results.push({ status: 'skipped', result: outcome.result });
        continue;
      }
      const stored = outcome.result ?? null;
      const memberVersion = versionOf(decided, command.memberIds[0]);
      if (outcome.kind === 'reject') {
        const final = outcome.final !== false;
        if (final) {
          seen.set(key, { outcome: 'rejected', fingerprint, result: outcome.result });
          decided.causations.push({ scope: command.scope, id: command.causationId, outcome: 'rejected', fingerprint, result: stored, memberVersion });
        } else decided.unrecorded.push({ scope: command.scope, id: command.causationId });
        decided.rejections.push({
          scope: command.scope,
          id: command.causationId,
          memberId: outcome.memberId,
          code: outcome.code,
          message: outcome.message,
          occurredAt: rejectionInstant(outcome.occurredAt),
          input: outcome.input ?? null,
          memberVersion: versionOf(decided, outcome.memberId),
          final,
        });
        decided.results.push({ status: 'rejected', result: outcome.result, code: outcome.code, message: outcome.message, final });
        continue;
      }
      seen.set(key, { outcome: 'appended', fingerprint, result: outcome.result });
      const appended: AppendedEvent[] = [];
      for (const event of outcome.events) {
        if (!command.memberIds.includes(event.memberId)) {
          throw new Error(`command ${key} decided an event for ${event.memberId}, which it did not load`);
        }
        const row = this.append(decided as Decided<unknown>, event, command.causationId, recordedAt);
        decided.events.push(row);
        decided.touched.add(event.memberId);
        const openedLot = openedLotOf(event);
        if (openedLot !== undefined) decided.openedLots.add(openedLot);
        appended.push({ memberId: row.memberId, version: row.version, eventId: row.eventId, type: row.type, recordedAt });
      }
      decided.causations.push({ scope: command.scope, id: command.causationId, outcome: 'appended', fingerprint, result: stored, memberVersion });
      decided.results.push({ status: 'appended', result: outcome.result, events: appended });
    }
    return decided;
  }

  /**
   * Folds one event into its member's state and chain, and returns its row. The state was handed
   * over for this batch (see `attemptUnderLocks`), so the fold writes into it without copying anything.
   */
  private append(decided: Decided<unknown>, event: NewLedgerEvent, causationId: string, recordedAt: string): EventRow {
    const current = decided.members.get(event.memberId) as LoadedMember;
    let fold = decided.folds.get(event.memberId);
    if (!fold) decided.folds.set(event.memberId, (fold = MemberFold.owning(current.state)));
    const version = current.state.version + 1;
    const canonical = CANONICAL_INSTANT.test(event.occurredAt);
    const occurredAt = canonical ? event.occurredAt : new Date(event.occurredAt).toISOString();
    const eventId = this.options.newEventId();
    const dataText = JSON.stringify(encodeEventData(event.type, event.data));
    const hash = eventHash(current.lastHash, { memberId: event.memberId, version, eventId, type: event.type, occurredAt, recordedAt, causationId, dataText });
    fold.apply(canonical ? event : ({ ...event, occurredAt } as NewLedgerEvent), version);
    // The entry moves on with its state, in place like the state itself: a touched entry never
    // goes back to the cache unless its batch commits (see `failed`).
    current.lastHash = hash;
    return { memberId: event.memberId, version, eventId, type: event.type, occurredAt: storedInstantText(occurredAt), causationId, dataText, hash };
  }
}

/** What an attempt has in hand, for putting states back whether it commits or fails. */
interface Held<R> {
  loaded?: Map<string, LoadedMember>;
  generation?: string;
  decided?: Decided<R>;
}

/** A loaded member's version as the batch's decisions so far left it (undefined for a member not loaded). */
const versionOf = <R>(decided: Decided<R>, memberId: string | undefined): number =>
  (memberId === undefined ? undefined : decided.members.get(memberId)?.state.version) ?? 0;

/** The lot an earning opens, under an id minted for it (adjustments, rare, are left to the upsert). */
const openedLotOf = (event: NewLedgerEvent): string | undefined => (event.type === 'points.earned' ? event.data.lotId : undefined);

const membersOf = <R>(commands: LedgerCommand<R>[]): string[] => [...new Set(commands.flatMap((c) => c.memberIds))].sort();

const ordersOf = <R>(commands: LedgerCommand<R>[]): OrderKey[] => commands.flatMap((c) => c.orders ?? []);

const newOrdersOf = <R>(commands: LedgerCommand<R>[]): OrderKey[] => commands.flatMap((c) => c.newOrders ?? []);

const orderKey = (memberId: string, orderId: string) => `${memberId}\u0000${orderId}`;

const storedOrderKeys = (loaded: Map<string, LoadedMember>): Set<string> => {
  const keys = new Set<string>();
  for (const [memberId, { state }] of loaded) for (const orderId of state.orders.keys()) keys.add(orderKey(memberId, orderId));
  return keys;
};

/**
 * Puts these orders into the states they are decided on, and nothing else: a state never
 * carries an order it was not given for this decision, so none can go stale.
 */
const loadOrders = async (query: Query, orders: OrderKey[], loaded: Map<string, LoadedMember>): Promise<void> =>
  attachOrders(await readStoredOrders(query, orders), loaded);

interface SeenCausation {
  outcome: string;
  fingerprint: string | null;
  result: unknown;
}

const causationKey = (scope: string, id: string) => `${scope}\u0000${id}`;

const findCausations = async <R>(query: Query, commands: LedgerCommand<R>[]): Promise<Map<string, SeenCausation>> => {
  const rows: { scope: string; causation_id: string; outcome: string; fingerprint: string | null; result: unknown }[] = await query(
    // A lateral lookup per key: joined plainly, the planner hashes the whole table once it grows.
    `SELECT c.* FROM unnest($1::text[], $2::text[]) AS k(scope, id)
       CROSS JOIN LATERAL (SELECT scope, causation_id, outcome, fingerprint, result FROM causations
                            WHERE scope = k.scope AND causation_id = k.id LIMIT 1) c`,
    [commands.map((c) => c.scope), commands.map((c) => c.causationId)],
    'tally_find_causations',
  );
  return new Map(rows.map((r) => [causationKey(r.scope, r.causation_id), { outcome: r.outcome, fingerprint: r.fingerprint, result: r.result }]));
};

/** Snapshots due for the members this batch moved on: the newest state, every `SNAPSHOT_EVERY` versions. */
const dueSnapshots = (members: Map<string, LoadedMember>, touched: Set<string>) => {
  const rows: { member_id: string; version: number; revision: number; state: StoredSnapshot }[] = [];
  for (const memberId of touched) {
    const entry = members.get(memberId) as LoadedMember;
    if (entry.state.version - entry.snapshotVersion < SNAPSHOT_EVERY) continue;
    rows.push({ member_id: memberId, version: entry.state.version, revision: SNAPSHOT_REVISION, state: encodeSnapshot(entry.state) });
    members.set(memberId, { ...entry, snapshotVersion: entry.state.version });
  }
  return rows;
};

const LIVE_SQL = projectionSql(LIVE_TABLES);

const EVENT_COLUMNS: BulkColumn[] = [
  { name: 'memberId', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'eventId', type: 'uuid' },
  { name: 'type', type: 'text' },
  { name: 'dataText', type: 'json' },
  { name: 'occurredAt', type: 'timestamptz' },
  { name: 'causationId', type: 'text' },
  { name: 'hash', type: 'bytea' },
];
const CAUSATION_COLUMNS: BulkColumn[] = [
  { name: 'scope', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'outcome', type: 'text' },
  { name: 'fingerprint', type: 'text' },
  { name: 'result', type: 'jsonb', jsonValue: true },
  { name: 'memberVersion', type: 'int' },
];
const REJECTION_COLUMNS: BulkColumn[] = [
  { name: 'scope', type: 'text' },
  { name: 'id', type: 'text' },
  { name: 'memberId', type: 'text' },
  { name: 'code', type: 'text' },
  { name: 'message', type: 'text' },
  { name: 'occurredAt', type: 'timestamptz' },
  { name: 'input', type: 'jsonb', jsonValue: true },
  { name: 'memberVersion', type: 'int' },
  { name: 'final', type: 'boolean' },
];
const KEY_COLUMNS: BulkColumn[] = [
  { name: 'scope', type: 'text' },
  { name: 'id', type: 'text' },
];
const BASE_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'version', type: 'int' },
];
const SNAPSHOT_COLUMNS: BulkColumn[] = [
  { name: 'member_id', type: 'text' },
  { name: 'version', type: 'int' },
  { name: 'revision', type: 'int' },
  { name: 'state', type: 'json', jsonValue: true },
];

/**
 * Everything a batch writes, in one statement of data-modifying CTEs: one round trip instead of
 * ten whatever the batch holds (an empty list inserts nothing). The tables are distinct, and the
 * lot and hold rows deleted are never those upserted, so no row is touched twice. It answers
 * with one row: returning each event's position was a row per event that PostgreSQL wrote out and
 * pg parsed into an object, kept alive by a call in flight, for positions no caller read (bench:earn,
 * eight alternating 300k runs: 22,793-24,718 events/s and 59-62 scavenges against 21,094-22,936
 * and 66-67).
 */
const writeBatch = async <R>(query: Query, decided: Decided<R>, generation: string | undefined): Promise<void> => {
  const { sql, values } = batchStatement(decided, generation);
  // The rows are in the parameters now. Let go while the statement runs (tens of milliseconds for a
  // large batch): whatever is still referenced then is copied by every scavenge that comes meanwhile.
  decided.events = [];
  decided.causations = [];
  decided.rejections = [];
  decided.unrecorded = [];
  decided.folds.clear();
  await query(sql, values, 'tally_append_batch');
};

/** The batch's one statement and its parameters (see `writeBatch`). */
const batchStatement = <R>(decided: Decided<R>, generation: string | undefined): { sql: string; values: unknown[] } => {
  const p = changedRows(
    [...decided.touched].map((id) => {
      const { changedLots, changedHolds, changedOrders } = decided.folds.get(id) as MemberFold;
      const { state, lastHash } = decided.members.get(id) as LoadedMember;
      return { state, lastHash, changedLots, changedHolds, changedOrders };
    }),
  );
  // Orders were loaded for this decision only: none is kept in a cached state or a snapshot.
  dropOrders(decided.members.values());
  const snapshots = dueSnapshots(decided.members, decided.touched);
  const bulk = new BulkParams();
  const recordedAt = bulk.value(storedInstantText(decided.recordedAt));
  const stored = (row: Record<string, unknown>) => decided.storedOrders.has(orderKey(row.member_id as string, row.order_id as string));
  const opened = (row: Record<string, unknown>) => decided.openedLots.has(row.lot_id as string);
  const bases = [...decided.bases].map(([member_id, version]) => ({ member_id, version })).sort((a, b) => (a.member_id < b.member_id ? -1 : 1));
  const claims = bases.filter((b) => b.version === 0 && !decided.touched.has(b.member_id)).map((b) => b.member_id);
  const sql =
    // Every member the batch decided on, whether it appends, refuses or skips, is locked and
    // checked before anything is written: a decision rests on the head or is not recorded. The
    // rows are locked one index lookup each in id order: an append decided under locks took them
    // in the same order, so the two never deadlock. (A join against a CTE of the rows instead went
    // quadratic on large batches; a lateral lookup is one the planner cannot turn into a scan.)
    // Members decided on without a head and not created here have no row to lock: they are
    // claimed (see the migration that made tally_claim_new_members), after the row locks.
    `WITH heads AS MATERIALIZED (
       SELECT b.member_id, b.version AS decided, coalesce(m.version, 0) AS head
         FROM ${bulk.unnest(bases, BASE_COLUMNS, 'b')}
         LEFT JOIN LATERAL (SELECT s.version FROM member_state s WHERE s.member_id = b.member_id FOR UPDATE) m ON true
     ),
     checked AS (
       SELECT tally_assert(
                coalesce(bool_and(h.head = h.decided), true)
                AND (SELECT generation::text FROM projection_generation) = coalesce(${bulk.value(generation ?? null)}, (SELECT generation::text FROM projection_generation))
                AND tally_claim_new_members(${bulk.value(textArray(claims))}::text[])
                AND NOT EXISTS (SELECT 1 FROM ${bulk.unnest(decided.unrecorded, KEY_COLUMNS, 'k')}
                                 CROSS JOIN LATERAL (SELECT 1 FROM causations c WHERE c.scope = k.scope AND c.causation_id = k.id LIMIT 1) c),
                'a member moved on, a causation taken for unanswered has an answer, or projections were swapped, since the decision') AS ok
         FROM heads h
     ),
     inserted AS (
       INSERT INTO ledger_events (member_id, version, event_id, type, data, occurred_at, recorded_at, causation_id, hash)
       SELECT "memberId", version, "eventId", type, "dataText", "occurredAt", ${recordedAt}::timestamptz, "causationId", hash
         FROM ${bulk.unnest(decided.events, EVENT_COLUMNS)}
        WHERE (SELECT ok FROM checked)
       RETURNING position
     ),
     queued AS (INSERT INTO outbox (positions) SELECT array_agg(position ORDER BY position) FROM inserted HAVING count(*) > 0),
     members AS (${LIVE_SQL.upsertMembers(bulk, p.members)}),
     gone_lots AS (${LIVE_SQL.deleteLots(bulk, p.goneLots)}),
     lots AS (${LIVE_SQL.upsertLots(bulk, p.lots.filter((row) => !opened(row)))}),
     new_lots AS (${LIVE_SQL.insertLots(bulk, p.lots.filter(opened))}),
     gone_holds AS (${LIVE_SQL.deleteHolds(bulk, p.goneHolds)}),
     holds AS (${LIVE_SQL.upsertHolds(bulk, p.holds)}),
     orders AS (${LIVE_SQL.upsertOrders(bulk, p.orders.filter(stored))}),
     new_orders AS (${LIVE_SQL.insertOrders(bulk, p.orders.filter((row) => !stored(row)))}),
     causes AS (
       INSERT INTO causations (scope, causation_id, outcome, fingerprint, result, recorded_at, member_version)
       SELECT scope, id, outcome, fingerprint, result, ${recordedAt}::timestamptz, "memberVersion" FROM ${bulk.unnest(decided.causations, CAUSATION_COLUMNS)}
     ),
     -- The head a refusal was recorded at is the locked head plus what this batch appended to the
     -- member before deciding it: equal to the version it was decided on, unless it rested on a stale state.
     refusals AS (
       INSERT INTO rejections (scope, causation_id, member_id, code, message, occurred_at, recorded_at, input, member_version, head_version, final)
       SELECT r.scope, r.id, r."memberId", r.code, r.message, r."occurredAt", ${recordedAt}::timestamptz, r.input, r."memberVersion",
              h.head + r."memberVersion" - h.decided, r.final
         FROM ${bulk.unnest(decided.rejections, REJECTION_COLUMNS, 'r')} LEFT JOIN heads h ON h.member_id = r."memberId"
     ),
     snapshots AS (
       INSERT INTO member_snapshots (member_id, version, revision, state) SELECT * FROM ${bulk.unnest(snapshots, SNAPSHOT_COLUMNS)}
       ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version, revision = EXCLUDED.revision, state = EXCLUDED.state
     )
     SELECT count(*) AS appended FROM inserted`;
  return { sql, values: bulk.values };
};
