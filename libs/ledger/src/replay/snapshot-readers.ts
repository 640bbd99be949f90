import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** Connections that read one and the same snapshot of the database, whatever commits meanwhile. */
export interface SnapshotReaders {
  clients: PoolClient[];
  /** The exported snapshot's id: other sessions (a worker's) can read it too while these are open. */
  snapshot: string;
  close(): Promise<void>;
}

/**
 * The replay reads every table in primary key order, member range by member range, and the key's
 * index already gives that order. Left to itself, the planner estimates a bitmap scan and a sort
 * cheaper for a range of 2,000 members, and the sort spills 30k rows to disk: a lots range took
 * 79 ms that way and 35 ms along the index (the whole compare: 1.17 -> 0.50 s for the bench's
 * 304k events). Set on the replay's own read-only transactions only.
 */
export const ORDERED_READS = 'SET LOCAL enable_sort = off';

const connect = async (dataSource: DataSource): Promise<{ client: PoolClient; release: () => void }> => {
  const [client, release] = await (dataSource.driver as PostgresDriver).obtainMasterConnection();
  return { client: client as PoolClient, release: release as () => void };
};

/**
 * Opens `count` read-only transactions on one snapshot: the first exports it, the others adopt it.
 * The log and the projections read through them are then exactly as they were at one instant,
 * so a comparison of the two never mistakes an append made meanwhile for a difference.
 */
export const openSnapshotReaders = async (dataSource: DataSource, count: number): Promise<SnapshotReaders> => {
  const opened: { client: PoolClient; release: () => void }[] = [];
  const close = async () => {
    for (const { client, release } of opened.reverse()) {
      await client.query('ROLLBACK').catch(() => undefined);
      release();
    }
  };
  try {
    let snapshot: string | undefined;
    for (let i = 0; i < count; i++) {
      const connection = await connect(dataSource);
      opened.push(connection);
      await connection.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (snapshot === undefined) snapshot = (await connection.client.query('SELECT pg_export_snapshot() AS id')).rows[0].id as string;
      else await connection.client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      await connection.client.query(ORDERED_READS);
    }
    return { clients: opened.map((c) => c.client), snapshot: snapshot as string, close };
  } catch (error) {
    await close();
    throw error;
  }
};
