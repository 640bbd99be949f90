import { MemberFold, initialMemberState } from '@tally/member-ledger';
import { BulkParams } from '../append/bulk-params';
import { MemberSnapshot, REBUILD_TABLES, projectionRows, projectionSql } from '../append/projection-rows';
import { GENESIS_HASH } from '../hashing/event-hash';
import { LedgerScope } from '../read/ledger-scope';
import { MemberRange } from '../read/member-ranges';
import { MemberHistory, Queryable, memberHistories } from './member-histories';
import { ChunkBounds, ProjectionDiff, RebuiltDigests, Refold, ReplayDifference } from './projection-diff';

/** Members folded, compared and written together: a few MB of rows at most. */
const CHUNK = 2000;

/**
 * Chunks folded ahead of their comparison. Comparing a chunk (PostgreSQL digesting its live rows)
 * takes about as long as folding the next, now one and now the other longer: with a chunk's
 * slack only, the fold waited 0.3-0.4 s of a 2.6 s replay. Digests are a few bytes a member;
 * rebuilt states to be written, a few MB a chunk.
 */
const CHUNKS_QUEUED = 4;

/**
 * A member folded from its history. Its head hash is not read with the events: where it is
 * needed, SQL takes it from the log (`REBUILT_HEAD`, and the comparison of balance rows).
 */
export const foldHistory = (history: MemberHistory): MemberSnapshot => {
  const member = MemberFold.owning(initialMemberState(history.memberId));
  for (const { version, event } of history.events) member.apply(event, version);
  return { state: member.state, lastHash: GENESIS_HASH };
};

/** Sets rebuilt balance rows' chain heads to the hash of the member's event at that version. */
export const REBUILT_HEAD = `UPDATE ${REBUILD_TABLES.memberState} r SET last_hash = e.hash FROM ledger_events e
  WHERE r.member_id = ANY($1) AND e.member_id = r.member_id AND e.version = r.version`;

export interface RangeConnections {
  /** Reads the log, in the replay's snapshot. */
  log: Queryable;
  /** Reads the live projections, in the same snapshot. */
  live: Queryable;
  /** Writes the rebuilt rows, when the replay is to be swapped in. */
  write?: (sql: string, values: unknown[]) => Promise<unknown>;
}

export interface RangeResult {
  events: number;
  members: number;
  differences: ReplayDifference[];
}

/** What a replay worker is started with: where the database is, and whether it writes rebuilt rows. */
export interface ReplayWorkerSetup {
  url: string;
  write: boolean;
}

/** What it is then given to do: the snapshot to read, its members, how many differences to report. */
export interface ReplayWorkerTask {
  snapshot: string;
  range: MemberRange;
  scope: LedgerScope;
  limit: number;
}

/** A worker's messages: members folded since its last report, then its outcome. */
export type ReplayTaskResult = { ok: true; result: RangeResult } | { ok: false; message: string } | { progress: number };

/** Members folded between two progress reports of a range: a report a few milliseconds of folding apart. */
export const PROGRESS_EVERY = 500;

/**
 * Rebuilds one range of members from the log and compares it with the live projections, a chunk
 * at a time: while chunks are compared (and written), the log reader already fetches the next
 * pages, and the next chunk is folded. A member's state is reduced to the texts of its rows as
 * soon as it is folded (and kept whole only to be written), and a chunk's texts to one digest a
 * table when it is complete, so what the fold allocates dies young.
 */
export const replayRange = async (
  connections: RangeConnections,
  range: MemberRange,
  limit: number,
  scope: LedgerScope = {},
  onProgress: (members: number) => void = () => undefined,
): Promise<RangeResult> => {
  const diff = new ProjectionDiff(limit, scope);
  const refold: Refold = async (memberIds) => {
    const snapshots: MemberSnapshot[] = [];
    for await (const history of memberHistories(connections.live, { memberIds })) snapshots.push(foldHistory(history));
    return snapshots;
  };
  let events = 0;
  let members = 0;
  let chunk = new RebuiltDigests();
  let states: MemberSnapshot[] = [];
  let bounds: ChunkBounds = range.from === undefined ? {} : { from: range.from };
  // Chunks compared (and written) one after the other, on the live connection, while the fold
  // goes on: the fold waits only when CHUNKS_QUEUED are behind it.
  let compared: Promise<unknown> = Promise.resolve();
  const queued: Promise<unknown>[] = [];
  const flush = async (last: string | undefined) => {
    const [complete, toWrite] = [chunk.complete(), states];
    const chunkBounds: ChunkBounds = last === undefined ? { ...bounds, ...(range.to !== undefined ? { to: range.to } : {}) } : { ...bounds, upTo: last };
    compared = compared.then(() =>
      Promise.all([diff.compare(connections.live, complete, chunkBounds, refold), connections.write ? writeRebuilt(connections.write, toWrite) : undefined]),
    );
    // Awaited below, or with the last one: a failure is not lost, only reported in order.
    compared.catch(() => undefined);
    queued.push(compared);
    if (last !== undefined) bounds = { after: last };
    chunk = new RebuiltDigests();
    states = [];
    while (queued.length > CHUNKS_QUEUED) await queued.shift();
  };
  try {
    for await (const history of memberHistories(connections.log, { range, scope })) {
      const snapshot = foldHistory(history);
      chunk.addMember(snapshot);
      if (connections.write) states.push(snapshot);
      events += history.events.length;
      members += 1;
      if (members % PROGRESS_EVERY === 0) onProgress(PROGRESS_EVERY);
      if (chunk.size >= CHUNK) await flush(history.memberId);
    }
    await flush(undefined);
    await compared;
    onProgress(members % PROGRESS_EVERY);
  } finally {
    await compared.catch(() => undefined);
  }
  return { events, members, differences: diff.differences };
};

/** Plain inserts into the unindexed rebuild tables. */
const writeRebuilt = async (write: NonNullable<RangeConnections['write']>, states: MemberSnapshot[]): Promise<void> => {
  if (states.length === 0) return;
  const bulk = new BulkParams();
  await write(projectionSql(REBUILD_TABLES).insertAll(bulk, projectionRows(states)), bulk.values);
  await write(REBUILT_HEAD, [states.map((s) => s.state.memberId)]);
};
