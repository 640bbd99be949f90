import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { LIVE_TABLES, MemberSnapshot, REBUILD_TABLES, writeProjections } from '../append/projection-rows';
import { LedgerScope, membersInScope, scopeProblem } from '../read/ledger-scope';
import { memberRanges } from '../read/member-ranges';
import { Query, queryOf } from '../database/query';
import { memberHistories } from './member-histories';
import { ReplayDifference } from './projection-diff';
import { rebuildTables } from './rebuild-tables';
import { REBUILT_HEAD, RangeResult, ReplayTaskResult, ReplayWorkerSetup, ReplayWorkerTask, foldHistory, replayRange } from './replay-range';
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

export interface ReplayOptions {
  swap: boolean;
  /**
   * Member ranges replayed at once, each on a worker thread with connections of its own in the
   * same snapshot; by default one per core. PostgreSQL does two fifths of a replay's work
   * (reading the log, digesting the live rows), queued behind each worker's fold: on two cores
   * the bench's 304k events took 2.3-2.6 s with two workers and 2.9-3.1 s with one, alternating
   * on one host. From TypeScript sources (tests) the replay runs on this thread: a worker needs
   * the compiled module.
   */
  parallelism?: number;
  /**
   * The members replayed (default: all); see `LedgerScope`. With a time range, the members with
   * an event recorded in it, each replayed from its first event. Only a whole replay swaps.
   */
  scope?: LedgerScope;
  /** Told the members replayed so far and the members in scope, as the replay goes. */
  onProgress?: (done: number, total: number) => void;
}

const MAX_DIFFERENCES = 100;
const WORKER_FILE = join(__dirname, 'replay.worker.js');

/**
 * A replay worker thread. It is started before its task is known, so that it loads its modules
 * and connects while the replay opens the snapshot and splits the members (170 ms of a replay
 * otherwise spent waiting for it).
 */
class ReplayWorker {
  private readonly worker: Worker;
  private readonly outcome: Promise<RangeResult>;

  constructor(setup: ReplayWorkerSetup, onProgress: (members: number) => void) {
    this.worker = new Worker(WORKER_FILE, { workerData: setup });
    this.outcome = new Promise((resolve, reject) => {
      this.worker.on('message', (message: ReplayTaskResult) => {
        if ('progress' in message) onProgress(message.progress);
        else if (message.ok) resolve(message.result);
        else reject(new Error(message.message));
      });
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => code !== 0 && reject(new Error(`replay worker exited with ${code}`)));
    });
    // Reported by run(); a worker stopped without a task has nothing to report.
    this.outcome.catch(() => undefined);
  }

  run(task: ReplayWorkerTask): Promise<RangeResult> {
    this.worker.postMessage(task);
    return this.outcome;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Rebuilds every projection from the log and compares it row by row with the live tables, both
 * read in one snapshot: appends committed meanwhile are neither differences nor lost. With
 * `swap`, the rebuilt rows also go into fresh tables beside the live ones, which are caught up
 * with what was appended since the snapshot, under a lock, and swapped in.
 */
export class LedgerReplay {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: () => number = Date.now,
  ) {}

  private readonly query: Query = queryOf(this.dataSource);

  async run(options: ReplayOptions): Promise<ReplayReport> {
    const scope = options.scope ?? {};
    const problem = scopeProblem(scope) ?? (options.swap && Object.keys(scope).length > 0 ? 'only a replay of the whole ledger swaps' : undefined);
    if (problem) throw new RangeError(problem);
    const started = this.clock();
    const total = await membersInScope(this.query, scope);
    let done = 0;
    const progress = (members: number) => {
      done += members;
      options.onProgress?.(Math.min(done, total), total);
    };
    if (options.swap) await rebuildTables.create(this.query);
    try {
      const { events, members, differences } = await this.rebuild(options.swap, options.parallelism ?? Math.min(8, availableParallelism()), scope, progress);
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
   * Opens the snapshot, and replays the member ranges in it: on worker threads where the compiled
   * worker is there, else on this thread.
   */
  private async rebuild(write: boolean, parallelism: number, scope: LedgerScope, progress: (members: number) => void): Promise<RangeResult> {
    const url = (this.dataSource.options as PostgresConnectionOptions).url;
    const workers = url && existsSync(WORKER_FILE) ? Array.from({ length: parallelism }, () => new ReplayWorker({ url, write }, progress)) : [];
    try {
      // Workers read through connections of their own: here only the one that exports the snapshot.
      const readers = await openSnapshotReaders(this.dataSource, workers.length === 0 ? 2 : 1);
      try {
        if (workers.length === 0) {
          const connections = { log: readers.clients[0], live: readers.clients[1], ...(write ? { write: this.query } : {}) };
          return await replayRange(connections, {}, MAX_DIFFERENCES, scope, progress);
        }
        const ranges = await memberRanges(this.query, workers.length, scope);
        const parts = await Promise.all(ranges.map((range, i) => workers[i].run({ snapshot: readers.snapshot, range, scope, limit: MAX_DIFFERENCES })));
        return {
          events: parts.reduce((sum, p) => sum + p.events, 0),
          members: parts.reduce((sum, p) => sum + p.members, 0),
          differences: parts.flatMap((p) => p.differences).slice(0, MAX_DIFFERENCES),
        };
      } finally {
        await readers.close();
      }
    } finally {
      // Finished workers have exited already; this ends those a short range list left without a task.
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }

  /** Refolds members appended to since the snapshot: their live rows are newer, not different. */
  private async catchUp(query: Query, client: PoolClient): Promise<void> {
    const stale: { member_id: string }[] = await query(
      `SELECT l.member_id FROM ${LIVE_TABLES.memberState} l LEFT JOIN ${REBUILD_TABLES.memberState} r USING (member_id)
        WHERE r.member_id IS NULL OR l.version > r.version`,
    );
    if (stale.length === 0) return;
    const snapshots: MemberSnapshot[] = [];
    const ids = stale.map((s) => s.member_id);
    for await (const history of memberHistories(client, { memberIds: ids })) snapshots.push(foldHistory(history));
    await writeProjections(query, REBUILD_TABLES, snapshots);
    await query(REBUILT_HEAD, [ids]);
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
