import { MemberFold, initialMemberState } from '@tally/member-ledger';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { BulkParams } from '../append/bulk-params';
import { LIVE_TABLES, MemberSnapshot, REBUILD_TABLES, projectionRows, projectionSql, writeProjections } from '../append/projection-rows';
import { Query, queryOf } from '../state/member-states';
import { MemberHistory, memberHistories } from './member-histories';
import { ProjectionDiff, ReplayDifference } from './projection-diff';
import { rebuildTables } from './rebuild-tables';
import { openSnapshotReaders } from './snapshot-readers';

export type { ReplayDifference } from './projection-diff';

export interface ReplayReport {
  eventsReplayed: number;
  members: number;
  ms: number;
  identical: boolean;
  differences: ReplayDifference[];
  swapped: boolean;
}

const MAX_DIFFERENCES = 100;
/** Members folded, compared and written together: a few MB of rows at most. */
const CHUNK = 2000;

const fold = (history: MemberHistory): MemberSnapshot => {
  const member = MemberFold.owning(initialMemberState(history.memberId));
  for (const { version, event } of history.events) member.apply(event, version);
  return { state: member.state, lastHash: Buffer.from(history.headHash, 'hex') };
};

/** Plain inserts into the unindexed rebuild tables, used when the rebuild is to be swapped in. */
const insertRebuilt = async (query: Query, rows: ReturnType<typeof projectionRows>): Promise<void> => {
  const bulk = new BulkParams();
  await query(projectionSql(REBUILD_TABLES).insertAll(bulk, rows), bulk.values);
};

/**
 * Rebuilds every projection from the log and compares it row by row with the live tables, both
 * read in one snapshot: appends committed meanwhile are neither differences nor lost. With
 * `swap`, the rebuilt rows also go into fresh tables beside the live ones, which are caught up
 * with what was appended since the snapshot, under a lock, and swapped in.
 */
export class LedgerReplay {
  constructor(private readonly dataSource: DataSource, private readonly clock: () => number = Date.now) {}

  private readonly query: Query = queryOf(this.dataSource);

  async run(options: { swap: boolean }): Promise<ReplayReport> {
    const started = this.clock();
    if (options.swap) await rebuildTables.create(this.query);
    try {
      const { events, members, differences } = await this.rebuild(options.swap);
      let swapped = false;
      if (options.swap) {
        await rebuildTables.index(this.query);
        swapped = await this.swap();
      }
      return { eventsReplayed: events, members, ms: this.clock() - started, identical: differences.length === 0, differences, swapped };
    } finally {
      if (options.swap) await rebuildTables.drop(this.query);
    }
  }

  /**
   * Folds every member, a chunk at a time: while one chunk is compared (and written), the log
   * reader already fetches the next pages, on connections of their own in the same snapshot.
   */
  private async rebuild(write: boolean): Promise<{ events: number; members: number; differences: ReplayDifference[] }> {
    const readers = await openSnapshotReaders(this.dataSource, 2);
    const [logReader, liveReader] = readers.clients;
    const diff = new ProjectionDiff(MAX_DIFFERENCES);
    let events = 0;
    let members = 0;
    let chunk: MemberSnapshot[] = [];
    let after = '';
    let pending: Promise<void> = Promise.resolve();
    const flush = async (upTo: string | null) => {
      const states = chunk;
      const from = after;
      await pending;
      pending = Promise.all([diff.compare(liveReader, states, from, upTo), write ? insertRebuilt(this.query, projectionRows(states)) : undefined]).then(() => undefined);
      after = upTo ?? after;
      chunk = [];
    };
    try {
      for await (const history of memberHistories(logReader)) {
        chunk.push(fold(history));
        events += history.events.length;
        members += 1;
        if (chunk.length >= CHUNK) await flush(history.memberId);
      }
      await flush(null);
      await pending;
    } finally {
      await pending.catch(() => undefined);
      await readers.close();
    }
    return { events, members, differences: diff.differences };
  }

  /** Refolds members appended to since the snapshot: their live rows are newer, not different. */
  private async catchUp(query: Query, client: PoolClient): Promise<void> {
    const stale: { member_id: string }[] = await query(
      `SELECT l.member_id FROM ${LIVE_TABLES.memberState} l LEFT JOIN ${REBUILD_TABLES.memberState} r USING (member_id)
        WHERE r.member_id IS NULL OR l.version > r.version`,
    );
    if (stale.length === 0) return;
    const snapshots: MemberSnapshot[] = [];
    for await (const history of memberHistories(client, stale.map((s) => s.member_id))) snapshots.push(fold(history));
    await writeProjections(query, REBUILD_TABLES, snapshots);
  }

  /**
   * Swaps the rebuilt tables in while appends wait on the lock, after a last catch-up. Snapshots
   * are dropped and the projection generation moves on, so no process goes on deciding from a
   * state folded before the swap: each folds again from the log on its next append.
   */
  private async swap(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`LOCK TABLE ${Object.values(LIVE_TABLES).join(', ')}, member_snapshots IN EXCLUSIVE MODE`);
      await this.catchUp(queryOf(runner), (await runner.connect()) as PoolClient);
      await rebuildTables.promote(runner);
      await runner.query('TRUNCATE member_snapshots');
      await runner.query('UPDATE projection_generation SET generation = generation + 1');
      await runner.commitTransaction();
      return true;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
