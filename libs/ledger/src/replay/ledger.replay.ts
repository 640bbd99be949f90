import { MemberState, evolveMember, initialMemberState } from '@tally/member-ledger';
import { DataSource } from 'typeorm';
import { LIVE_TABLES, MemberSnapshot, ProjectionTables, REBUILD_TABLES, projectionRows, writeProjections } from '../append/projection-rows';
import { GENESIS_HASH } from '../hashing/event-hash';
import { Query, queryOf } from '../state/member-states';
import { MemberHistory, memberHistories } from './member-histories';
import { rebuildTables } from './rebuild-tables';

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
/** Members folded per write: a few MB of rows per statement. */
const WRITE_BATCH = 2000;

const fold = (history: MemberHistory): MemberState => {
  let state = initialMemberState(history.memberId);
  for (const { version, event } of history.events) state = evolveMember(state, event, version);
  return state;
};

const KEYS: Record<keyof ProjectionTables, string[]> = {
  memberState: ['member_id'],
  openLots: ['member_id', 'lot_id'],
  openHolds: ['member_id', 'hold_id'],
};

/**
 * Plain inserts into the unindexed rebuild tables; each member's chain head is read from the log
 * itself (the hash of its event at the folded version), not taken from the live row.
 */
const insertRebuilt = async (query: Query, states: MemberState[]): Promise<void> => {
  const rows = projectionRows(states.map((state) => ({ state, lastHash: GENESIS_HASH })), 'replace');
  await query(
    `WITH members AS (
       INSERT INTO ${REBUILD_TABLES.memberState}
       SELECT x.member_id, x.version, x.available, x.pending, x.held, x.debt, x.lifetime_earned, x.lifetime_redeemed, x.expired, x.tier,
              (SELECT e.hash FROM ledger_events e WHERE e.member_id = x.member_id AND e.version = x.version)
         FROM json_to_recordset($1::json) AS x(member_id text, version int, available bigint, pending bigint, held bigint, debt bigint,
              lifetime_earned bigint, lifetime_redeemed bigint, expired bigint, tier text)
     ),
     lots AS (
       INSERT INTO ${REBUILD_TABLES.openLots}
       SELECT * FROM json_to_recordset($2::json) AS x(member_id text, lot_id text, remaining bigint, held bigint,
              expires_at timestamptz, available_at timestamptz, pending boolean, lot_order int)
     )
     INSERT INTO ${REBUILD_TABLES.openHolds}
     SELECT * FROM json_to_recordset($3::json) AS x(member_id text, hold_id text, points bigint, expires_at timestamptz)`,
    [JSON.stringify(rows.members), JSON.stringify(rows.lots), JSON.stringify(rows.holds)],
  );
};

/**
 * Rebuilds every projection from the log into fresh tables beside the live ones, compares them
 * row by row, and swaps them in only when asked. Appends made while the rebuild runs are caught
 * up before comparing (and again under a lock before a swap), so none is lost.
 */
export class LedgerReplay {
  constructor(private readonly dataSource: DataSource, private readonly clock: () => number = Date.now) {}

  private readonly query: Query = queryOf(this.dataSource);

  async run(options: { swap: boolean }): Promise<ReplayReport> {
    const started = this.clock();
    await rebuildTables.create(this.query);
    const { events, members } = await this.rebuild();
    await rebuildTables.index(this.query);
    await this.catchUp(this.query);
    const differences = await this.compare();
    const swapped = options.swap ? await this.swap() : false;
    if (!swapped) await rebuildTables.drop(this.query);
    return { eventsReplayed: events, members, ms: this.clock() - started, identical: differences.length === 0, differences, swapped };
  }

  /** Folds every member and writes the rows, one write in flight while the next members are folded. */
  private async rebuild(): Promise<{ events: number; members: number }> {
    let events = 0;
    let members = 0;
    let pending: MemberState[] = [];
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      writing = insertRebuilt(this.query, pending);
      pending = [];
    };
    for await (const history of memberHistories(this.dataSource)) {
      pending.push(fold(history));
      events += history.events.length;
      members += 1;
      if (pending.length >= WRITE_BATCH) await flush();
    }
    await flush();
    await writing;
    return { events, members };
  }

  /** Refolds members appended to since their rebuild: their live rows are newer, not different. */
  private async catchUp(query: Query): Promise<void> {
    const stale: { member_id: string }[] = await query(
      `SELECT l.member_id FROM ${LIVE_TABLES.memberState} l LEFT JOIN ${REBUILD_TABLES.memberState} r USING (member_id)
        WHERE r.member_id IS NULL OR l.version > r.version`,
    );
    if (stale.length === 0) return;
    const ids = stale.map((s) => s.member_id);
    const snapshots: MemberSnapshot[] = [];
    for await (const history of memberHistories(this.dataSource, ids)) snapshots.push({ state: fold(history), lastHash: GENESIS_HASH });
    await writeProjections(query, REBUILD_TABLES, snapshots, 'replace');
    await query(
      `UPDATE ${REBUILD_TABLES.memberState} r SET last_hash = e.hash FROM ledger_events e
        WHERE r.member_id = ANY($1) AND e.member_id = r.member_id AND e.version = r.version`,
      [ids],
    );
  }

  private async compare(): Promise<ReplayDifference[]> {
    const differences: ReplayDifference[] = [];
    for (const key of Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[]) {
      const live = LIVE_TABLES[key];
      const rebuilt = REBUILD_TABLES[key];
      const keyCols = KEYS[key];
      const rows: { k: string; live: unknown; rebuilt: unknown }[] = await this.query(
        `WITH only_live AS (SELECT * FROM ${live} EXCEPT SELECT * FROM ${rebuilt}),
              only_rebuilt AS (SELECT * FROM ${rebuilt} EXCEPT SELECT * FROM ${live})
         SELECT concat_ws('/', ${keyCols.map((c) => `coalesce(a.${c}, b.${c})`).join(', ')}) AS k,
                to_jsonb(a) AS live, to_jsonb(b) AS rebuilt
           FROM only_live a FULL JOIN only_rebuilt b USING (${keyCols.join(', ')})
          LIMIT ${MAX_DIFFERENCES}`,
      );
      for (const row of rows) differences.push({ table: live, key: row.k, live: row.live, rebuilt: row.rebuilt });
    }
    return differences.slice(0, MAX_DIFFERENCES);
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
      await this.catchUp(queryOf(runner));
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
