import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, evolveMember, initialMemberState } from '@tally/member-ledger';
import { DataSource, QueryRunner } from 'typeorm';
import { GENESIS_HASH, HashedFields, eventHash } from '../hashing/event-hash';
import { AppendedEvent, CommandResult, LedgerCommand } from './ledger-command';
import { LIVE_TABLES, MemberSnapshot, projectionRows, projectionSql } from './projection-rows';

export interface LedgerStoreOptions {
  clock: () => Date;
  newEventId: () => string;
  /** Attempts before a conflict is reported: each attempt re-decides on fresh state. */
  maxAttempts?: number;
}

/** PostgreSQL errors that mean "someone else changed the same member meanwhile": re-decide. */
const RETRYABLE = new Set(['23505', '40P01', '40001']);

export class ConcurrencyConflictError extends Error {
  constructor(readonly attempts: number, cause: unknown) {
    super(`ledger append still conflicting after ${attempts} attempts: ${(cause as Error).message}`);
  }
}

/** A row to insert: the hashed fields (recordedAt is the batch's) and the chain, as hex. */
type EventRow = Omit<HashedFields, 'recordedAt'> & { prevHash: string; hash: string };

/**
 * Appends decisions to the log with their projections in one transaction per call. Members are
 * locked in id order (no deadlocks between batches), each command is decided on the states the
 * earlier commands of the same batch left, and a duplicate causation appends nothing.
 */
export class LedgerStore {
  private readonly maxAttempts: number;

  constructor(private readonly dataSource: DataSource, private readonly options: LedgerStoreOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  async execute<R>(commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(commands);
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

  private async attempt<R>(commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const results = await this.run(runner, commands);
      await runner.commitTransaction();
      return results;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async run<R>(runner: QueryRunner, commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    const memberIds = [...new Set(commands.flatMap((c) => c.memberIds))].sort();
    const snapshots = await lockMembers(runner, memberIds);
    // States are immutable values: these stay as loaded while the batch evolves its own copies.
    const before = new Map([...snapshots].map(([id, snapshot]) => [id, snapshot.state]));
    const seen = await findCausations(runner, commands);
    const recordedAt = this.options.clock().toISOString();
    const touched = new Set<string>();
    const events: EventRow[] = [];
    const causations: CausationRow[] = [];
    const rejections: RejectionRow[] = [];
    const results: CommandResult<R>[] = [];

    for (const command of commands) {
      const key = causationKey(command.scope, command.causationId);
      const earlier = seen.get(key);
      if (earlier) {
        results.push({
          status: 'duplicate',
          result: earlier.result,
          outcome: earlier.outcome,
          fingerprint: earlier.fingerprint,
          sameFingerprint: (earlier.fingerprint ?? null) === (command.fingerprint ?? null),
        });
        continue;
      }
      const view: Record<string, MemberState> = {};
      for (const id of command.memberIds) view[id] = snapshotOf(snapshots, id).state;
      const outcome = command.decide(view);
      const fingerprint = command.fingerprint ?? null;
      if (outcome.kind === 'skip') {
        results.push({ status: 'skipped', result: outcome.result });
        continue;
      }
      const stored = outcome.result ?? null;
      seen.set(key, { outcome: outcome.kind === 'append' ? 'appended' : 'rejected', fingerprint, result: outcome.result });
      if (outcome.kind === 'reject') {
        causations.push({ scope: command.scope, id: command.causationId, outcome: 'rejected', fingerprint, result: stored });
        rejections.push({
          scope: command.scope,
          id: command.causationId,
          memberId: outcome.memberId,
          code: outcome.code,
          message: outcome.message,
          occurredAt: outcome.occurredAt ?? null,
          input: outcome.input ?? null,
        });
        results.push({ status: 'rejected', result: outcome.result, code: outcome.code, message: outcome.message });
        continue;
      }
      const appended: AppendedEvent[] = [];
      for (const event of outcome.events) {
        if (!command.memberIds.includes(event.memberId)) {
          throw new Error(`command ${key} decided an event for ${event.memberId}, which it did not load`);
        }
        const row = this.toRow(snapshots, event, command.causationId, recordedAt);
        events.push(row);
        touched.add(event.memberId);
        appended.push({ position: '', memberId: row.memberId, version: row.version, eventId: row.eventId, type: row.type, recordedAt });
      }
      causations.push({ scope: command.scope, id: command.causationId, outcome: 'appended', fingerprint, result: stored });
      results.push({ status: 'appended', result: outcome.result, events: appended });
    }

    const projections = projectionRows([...touched].map((id) => snapshotOf(snapshots, id)), before);
    const positions = await writeBatch(runner, { events, projections, causations, rejections }, recordedAt);
    for (const result of results) {
      if (result.status === 'appended') for (const e of result.events) e.position = positions.get(`${e.memberId}#${e.version}`) ?? '';
    }
    return results;
  }

  private toRow(snapshots: Map<string, MemberSnapshot>, event: NewLedgerEvent, causationId: string, recordedAt: string): EventRow {
    const current = snapshotOf(snapshots, event.memberId);
    const version = current.state.version + 1;
    const normalized = { ...event, occurredAt: new Date(event.occurredAt).toISOString() } as NewLedgerEvent;
    const eventId = this.options.newEventId();
    const hash = eventHash(current.lastHash, {
      memberId: event.memberId,
      version,
      eventId,
      type: event.type,
      data: event.data,
      occurredAt: normalized.occurredAt,
      recordedAt,
      causationId,
    });
    snapshots.set(event.memberId, { state: evolveMember(current.state, normalized, version), lastHash: hash });
    return {
      memberId: event.memberId,
      version,
      eventId,
      type: event.type,
      data: event.data,
      occurredAt: normalized.occurredAt,
      causationId,
      prevHash: current.lastHash.toString('hex'),
      hash: hash.toString('hex'),
    };
  }
}

const causationKey = (scope: string, id: string) => `${scope}\u0000${id}`;

const snapshotOf = (snapshots: Map<string, MemberSnapshot>, memberId: string): MemberSnapshot => {
  let snapshot = snapshots.get(memberId);
  if (!snapshot) {
    snapshot = { state: initialMemberState(memberId), lastHash: GENESIS_HASH };
    snapshots.set(memberId, snapshot);
  }
  return snapshot;
};

const lockMembers = async (runner: QueryRunner, memberIds: string[]): Promise<Map<string, MemberSnapshot>> => {
  const rows: { member_id: string; last_hash: Buffer; state: MemberState }[] = await runner.query(
    `SELECT member_id, last_hash, state FROM member_state WHERE member_id = ANY($1) ORDER BY member_id FOR UPDATE`,
    [memberIds],
  );
  return new Map(rows.map((r) => [r.member_id, { state: r.state, lastHash: r.last_hash }]));
};

const findCausations = async <R>(runner: QueryRunner, commands: LedgerCommand<R>[]) => {
  const rows: { scope: string; causation_id: string; outcome: string; fingerprint: string | null; result: unknown }[] =
    await runner.query(
      `SELECT c.scope, c.causation_id, c.outcome, c.fingerprint, c.result
         FROM causations c JOIN unnest($1::text[], $2::text[]) AS k(scope, id) ON c.scope = k.scope AND c.causation_id = k.id`,
      [commands.map((c) => c.scope), commands.map((c) => c.causationId)],
    );
  return new Map(
    rows.map((r) => [causationKey(r.scope, r.causation_id), { outcome: r.outcome, fingerprint: r.fingerprint, result: r.result }]),
  );
};

interface CausationRow {
  scope: string;
  id: string;
  outcome: string;
  fingerprint: string | null;
  result: unknown;
}

interface RejectionRow {
  scope: string;
  id: string;
  memberId: string;
  code: string;
  message: string;
  occurredAt: string | null;
  input: unknown;
}

interface BatchRows {
  events: EventRow[];
  projections: ReturnType<typeof projectionRows>;
  causations: CausationRow[];
  rejections: RejectionRow[];
}

const LIVE_SQL = projectionSql(LIVE_TABLES);

/**
 * Everything a batch writes, in one statement of data-modifying CTEs: one round trip instead of
 * nine whatever the batch holds (an empty list inserts nothing). The tables are distinct, and the
 * lot and hold rows deleted are never those upserted, so no row is touched twice.
 */
const writeBatch = async (runner: QueryRunner, rows: BatchRows, recordedAt: string): Promise<Map<string, string>> => {
  const { projections: p } = rows;
  const result: { position: string; member_id: string; version: number }[] = await runner.query(
    `WITH inserted AS (
       INSERT INTO ledger_events (member_id, version, event_id, type, data, occurred_at, recorded_at, causation_id, prev_hash, hash)
       SELECT "memberId", version, "eventId", type, data, "occurredAt", $9::timestamptz, "causationId",
              decode("prevHash", 'hex'), decode(hash, 'hex')
         FROM json_to_recordset($1::json) AS x("memberId" text, version int, "eventId" uuid, type text, data json,
              "occurredAt" timestamptz, "causationId" text, "prevHash" text, hash text)
       RETURNING position, member_id, version
     ),
     queued AS (INSERT INTO outbox (position) SELECT position FROM inserted),
     members AS (${LIVE_SQL.upsertMembers(2)}),
     gone_lots AS (${LIVE_SQL.deleteLots(3)}),
     lots AS (${LIVE_SQL.upsertLots(4)}),
     gone_holds AS (${LIVE_SQL.deleteHolds(5)}),
     holds AS (${LIVE_SQL.upsertHolds(6)}),
     causes AS (
       INSERT INTO causations (scope, causation_id, outcome, fingerprint, result, recorded_at)
       SELECT scope, id, outcome, fingerprint, result, $9::timestamptz
         FROM json_to_recordset($7::json) AS x(scope text, id text, outcome text, fingerprint text, result jsonb)
     ),
     refusals AS (
       INSERT INTO rejections (scope, causation_id, member_id, code, message, occurred_at, recorded_at, input)
       SELECT scope, id, "memberId", code, message, "occurredAt", $9::timestamptz, input
         FROM json_to_recordset($8::json) AS x(scope text, id text, "memberId" text, code text, message text,
              "occurredAt" timestamptz, input jsonb)
     )
     SELECT position, member_id, version FROM inserted`,
    [
      JSON.stringify(rows.events),
      JSON.stringify(p.members),
      JSON.stringify(p.goneLots),
      JSON.stringify(p.lots),
      JSON.stringify(p.goneHolds),
      JSON.stringify(p.holds),
      JSON.stringify(rows.causations),
      JSON.stringify(rows.rejections),
      recordedAt,
    ],
  );
  return new Map(result.map((r) => [`${r.member_id}#${r.version}`, String(r.position)]));
};
