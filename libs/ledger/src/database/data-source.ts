import { Client, Pool } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { LedgerSchema1764600000000 } from './migrations/1764600000000-ledger-schema';
import { AppendGuard1764600000001 } from './migrations/1764600000001-append-guard';
import { MemberOrders1764600000002 } from './migrations/1764600000002-member-orders';
import { OutboxPerTransaction1764600000003 } from './migrations/1764600000003-outbox-per-transaction';
import { RejectionLookups1764600000004 } from './migrations/1764600000004-rejection-lookups';
import { CommitOrderedLists1764600000005 } from './migrations/1764600000005-commit-ordered-lists';
import { DecisionsOnTheHead1764600000006 } from './migrations/1764600000006-decisions-on-the-head';
import { AdjustmentFields1764600000007 } from './migrations/1764600000007-adjustment-fields';
import { OpsJobs1764600000008 } from './migrations/1764600000008-ops-jobs';
import { ImportRows1764600000009 } from './migrations/1764600000009-import-rows';
import { OutboxTraceContext1764600000011 } from './migrations/1764600000011-outbox-trace-context';
import { FlagHeldEarnings1764600000012 } from './migrations/1764600000012-flag-held-earnings';
import { StoreFlags1764600000014 } from './migrations/1764600000014-store-flags';
import { AnalyticsReadModel1764600000013 } from './migrations/1764600000013-analytics-read-model';
import { AnalyticsFastReads1764600000016 } from './migrations/1764600000016-analytics-fast-reads';
import { TransferEvents1764600000017 } from './migrations/1764600000017-transfer-events';
import { Challenges1764600000018 } from './migrations/1764600000018-challenges';
import { FlagPagesInputStatus1764600000019 } from './migrations/1764600000019-flag-pages-input-status';
import { RejectionRelatedMembers1764600000020 } from './migrations/1764600000020-rejection-related-members';

export const LEDGER_MIGRATIONS = [
  LedgerSchema1764600000000,
  AppendGuard1764600000001,
  MemberOrders1764600000002,
  OutboxPerTransaction1764600000003,
  RejectionLookups1764600000004,
  CommitOrderedLists1764600000005,
  DecisionsOnTheHead1764600000006,
  AdjustmentFields1764600000007,
  OpsJobs1764600000008,
  ImportRows1764600000009,
  OutboxTraceContext1764600000011,
  FlagHeldEarnings1764600000012,
  AnalyticsReadModel1764600000013,
  StoreFlags1764600000014,
  AnalyticsFastReads1764600000016,
  TransferEvents1764600000017,
  Challenges1764600000018,
  FlagPagesInputStatus1764600000019,
  RejectionRelatedMembers1764600000020,
];
const MIGRATIONS_TABLE = 'tally_migrations';

/** Schema changes happen only through these migrations: `synchronize` stays off everywhere. */
export const ledgerDataSourceOptions = (url: string, poolSize = 10): DataSourceOptions => ({
  type: 'postgres',
  url,
  synchronize: false,
  migrationsRun: false,
  migrations: LEDGER_MIGRATIONS,
  migrationsTableName: MIGRATIONS_TABLE,
  // No JIT: the planner overestimates per-key lateral lookups (hundreds of rows each instead of
  // one or two) and then compiles the statement for 80 ms to run it in 5.
  extra: { max: poolSize, options: '-c jit=off' },
});

/**
 * Connections for the ledger's appends only. Each statement an append runs is prepared once per
 * connection and written for batches of any size (arrays unnested, keys probed one by one), so
 * these connections plan it once: left to choose, PostgreSQL planned the append statement anew on
 * every small batch, because its estimate for a generic plan (ten rows per array) came out dearer
 * than a plan for the few rows at hand, and that planning (0.3-0.4 ms a statement) was most of a
 * single append's time in the database. A plan kept that long is made with the tables as they were
 * then, and a new ledger's are empty: there a sequential scan looks cheapest, and the plan went on
 * scanning member_state, open_lots and open_holds in full for every append as they grew (one
 * backend at 60% of a core for 1,000 purchases/s after 30 s). Every statement on these
 * connections reads rows by key, so sequential scans are off for them. The data source's own
 * connections keep the defaults: their ad-hoc queries with ranges are better planned for their values.
 */
export const ledgerAppendPool = (url: string, size = 4): Pool => {
  const pool = new Pool({ connectionString: url, max: size, options: '-c jit=off -c plan_cache_mode=force_generic_plan -c enable_seqscan=off' });
  // An idle connection that breaks (the server restarted) leaves the pool, and the next append
  // connects anew; unheard, its error would end the process.
  pool.on('error', () => undefined);
  return pool;
};

const databaseNameOf = (url: string): string => decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres`). */
export const ensureDatabase = async (url: string): Promise<void> => {
  const name = databaseNameOf(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  // A cut connection fails the awaited query; as an event on an idle client it would end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
};

/** Arbitrary key of the advisory lock that serialises migrations across services starting at once. */
const MIGRATION_LOCK_KEY = 7_366_001;

/** Tries of a migration whose connections were lost (a restarted or failed-over PostgreSQL). */
const MIGRATION_ATTEMPTS = 5;

/**
 * A connection PostgreSQL ended or could not keep (admin shutdown, crash, connection failure), by
 * SQLSTATE or by the driver's message. Kept here, not taken from the platform's classifier: the
 * migrate script loads this module alone, before any decorated class.
 */
const isConnectionLost = (error: unknown): boolean => {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (code !== undefined && /^(57P0[123]|08\d{3})$/.test(code)) || /Connection terminated|ECONNREFUSED|ECONNRESET/.test(message ?? '');
};

/**
 * Creates the database when missing, then applies pending migrations (one process at a time). A
 * service starts with this: connections cut while it runs are retried, not a failed start.
 */
export const migrateLedger = async (url: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(url);
    } catch (error) {
      if (attempt >= MIGRATION_ATTEMPTS || !isConnectionLost(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
};

const migrateOnce = async (url: string): Promise<void> => {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url });
  // The lock's connection sits idle while the migrations run on another: cut then, its error
  // arrives as an event, which unheard would end the process. Its lock is gone with it, so the
  // migrations are tried again.
  let lockLost: Error | undefined;
  lock.on('error', (error) => (lockLost = error));
  await lock.connect();
  const dataSource = new DataSource(ledgerDataSourceOptions(url, 1));
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await refuseUnknownMigrations(lock);
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    if (lockLost) throw lockLost;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lock.end().catch(() => undefined);
  }
};

/**
 * A database migrated by a schema this code does not know (a newer release, or a development
 * schema from before the first release) is refused with a clear message instead of half-migrated.
 */
const refuseUnknownMigrations = async (client: Client): Promise<void> => {
  const { rows } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [MIGRATIONS_TABLE]);
  if (!rows[0].present) return;
  const known = new Set(LEDGER_MIGRATIONS.map((m) => m.name));
  const applied: { name: string }[] = (await client.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).rows;
  const unknown = applied.map((m) => m.name).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `the database was migrated by a schema this release does not know (${unknown.join(', ')}): ` +
        'migrate it with the release that wrote it, or drop it if it is a development database',
    );
  }
};
