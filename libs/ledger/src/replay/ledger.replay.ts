import { MemberState, evolveMember, initialMemberState } from '@tally/member-ledger';
import { DataSource } from 'typeorm';
import { LIVE_TABLES, MemberSnapshot, ProjectionTables, REBUILD_TABLES, writeProjections } from '../append/projection-rows';
import { GENESIS_HASH } from '../hashing/event-hash';
import { StoredEventRow, toLedgerEvent } from '../read/event-row';
import { memberHistories } from './member-histories';

export interface ReplayDifference {
  table: string;
  key: string;
  live: unknown;
  rebuilt: unknown;
}

export interface ReplayReport {
  eventsReplayed: number;
  members: number;
  ms: number;
  identical: boolean;
  differences: ReplayDifference[];
  swapped: boolean;
}

const MAX_DIFFERENCES = 100;
const WRITE_BATCH = 2000;

const fold = (rows: StoredEventRow[]): MemberSnapshot => {
  let state: MemberState = initialMemberState(rows[0].member_id);
  for (const row of rows) state = evolveMember(state, toLedgerEvent(row), row.version);
  return { state, lastHash: rows.length > 0 ? rows[rows.length - 1].hash : GENESIS_HASH };
};

/** `json` has no equality: the state is compared as `jsonb`, which ignores key order and spacing. */
const COMPARED_COLUMNS: Record<keyof ProjectionTables, string> = {
  memberState:
    'member_id, version, last_hash, available, pending, held, lifetime_earned, lifetime_redeemed, expired, tier, state::jsonb AS state',
  openLots: '*',
  openHolds: '*',
};

const KEYS: Record<keyof ProjectionTables, string[]> = {
  memberState: ['member_id'],
  openLots: ['member_id', 'lot_id'],
  openHolds: ['member_id', 'hold_id'],
};

/**
 * Rebuilds every projection from the log into fresh tables beside the live ones, compares them
 * row by row, and swaps them in only when asked. Appends made while the rebuild runs are caught
 * up before comparing (and again under a lock before a swap), so none is lost.
 */
export class LedgerReplay {
  constructor(private readonly dataSource: DataSource, private readonly clock: () => number = Date.now) {}

  async run(options: { swap: boolean }): Promise<ReplayReport> {
    const started = this.clock();
    await this.createRebuildTables();
    let eventsReplayed = 0;
    let members = 0;
    let pending: MemberSnapshot[] = [];
    const write = (snapshots: MemberSnapshot[]) => writeProjections((sql, p) => this.dataSource.query(sql, p), REBUILD_TABLES, snapshots, new Map());
    // One write in flight while the next batch is folded: the fold and the database overlap.
    let writing: Promise<void> = Promise.resolve();
    for await (const rows of memberHistories(this.dataSource)) {
      pending.push(fold(rows));
      eventsReplayed += rows.length;
      members += 1;
      if (pending.length >= WRITE_BATCH) {
        await writing;
        writing = write(pending);
        pending = [];
      }
    }
    await writing;
    await write(pending);
    await this.catchUp();
    const differences = await this.compare();
    let swapped = false;
    if (options.swap) swapped = await this.swap();
    else await this.dropRebuildTables();
    return { eventsReplayed, members, ms: this.clock() - started, identical: differences.length === 0, differences, swapped };
  }

  private async createRebuildTables(): Promise<void> {
    await this.dropRebuildTables();
    for (const key of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
      await this.dataSource.query(`CREATE TABLE ${REBUILD_TABLES[key]} (LIKE ${LIVE_TABLES[key]} INCLUDING ALL)`);
    }
  }

  private async dropRebuildTables(): Promise<void> {
    await this.dataSource.query(`DROP TABLE IF EXISTS ${Object.values(REBUILD_TABLES).join(', ')}`);
  }

  /** Refolds members appended to since their rebuild: their live rows are newer, not different. */
  private async catchUp(query = (sql: string, p?: unknown[]) => this.dataSource.query(sql, p)): Promise<void> {
    const stale: { member_id: string }[] = await query(
      `SELECT l.member_id FROM ${LIVE_TABLES.memberState} l LEFT JOIN ${REBUILD_TABLES.memberState} r USING (member_id)
        WHERE r.member_id IS NULL OR l.version > r.version`,
    );
    if (stale.length === 0) return;
    const snapshots: MemberSnapshot[] = [];
    for await (const rows of memberHistories(this.dataSource, stale.map((s) => s.member_id))) snapshots.push(fold(rows));
    await writeProjections(query, REBUILD_TABLES, snapshots, 'replace');
  }

  private async compare(): Promise<ReplayDifference[]> {
    const differences: ReplayDifference[] = [];
    for (const key of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
      const live = LIVE_TABLES[key];
      const rebuilt = REBUILD_TABLES[key];
      const keyCols = KEYS[key];
      const columns = COMPARED_COLUMNS[key];
      const rows: { k: string; live: unknown; rebuilt: unknown }[] = await this.dataSource.query(
        `WITH only_live AS (SELECT ${columns} FROM ${live} EXCEPT SELECT ${columns} FROM ${rebuilt}),
              only_rebuilt AS (SELECT ${columns} FROM ${rebuilt} EXCEPT SELECT ${columns} FROM ${live})
         SELECT concat_ws('/', ${keyCols.map((c) => `coalesce(a.${c}, b.${c})`).join(', ')}) AS k,
                to_jsonb(a) AS live, to_jsonb(b) AS rebuilt
           FROM only_live a FULL JOIN only_rebuilt b USING (${keyCols.join(', ')})
          LIMIT ${MAX_DIFFERENCES}`,
      );
      for (const row of rows) differences.push({ table: live, key: row.k, live: row.live, rebuilt: row.rebuilt });
    }
    return differences.slice(0, MAX_DIFFERENCES);
  }

  /** Swaps the rebuilt tables in while appends wait on the lock, after a last catch-up. */
  private async swap(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`LOCK TABLE ${Object.values(LIVE_TABLES).join(', ')} IN EXCLUSIVE MODE`);
      await this.catchUp((sql, p) => runner.query(sql, p));
      for (const key of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
        await runner.query(`ALTER TABLE ${LIVE_TABLES[key]} RENAME TO ${LIVE_TABLES[key]}_retired`);
        await runner.query(`ALTER TABLE ${REBUILD_TABLES[key]} RENAME TO ${LIVE_TABLES[key]}`);
        await runner.query(`DROP TABLE ${LIVE_TABLES[key]}_retired`);
      }
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
