import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { LedgerSchema1763900000000 } from './migrations/1763900000000-ledger-schema';
import { ServiceBookkeeping1763900000001 } from './migrations/1763900000001-service-bookkeeping';
import { CompactEventData1763900000002 } from './migrations/1763900000002-compact-event-data';
import { MemberStateAsJson1763900000003 } from './migrations/1763900000003-member-state-as-json';
import { BoundedMemberState1763900000004 } from './migrations/1763900000004-bounded-member-state';

export const LEDGER_MIGRATIONS = [
  LedgerSchema1763900000000,
  ServiceBookkeeping1763900000001,
  CompactEventData1763900000002,
  MemberStateAsJson1763900000003,
  BoundedMemberState1763900000004,
];

/** Schema changes happen only through these migrations: `synchronize` stays off everywhere. */
export const ledgerDataSourceOptions = (url: string, poolSize = 10): DataSourceOptions => ({
  type: 'postgres',
  url,
  synchronize: false,
  migrationsRun: false,
  migrations: LEDGER_MIGRATIONS,
  migrationsTableName: 'tally_migrations',
  extra: { max: poolSize },
});

const databaseNameOf = (url: string): string => decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));

/** Creates the database named in `url` when it does not exist yet (connecting to `postgres`). */
export const ensureDatabase = async (url: string): Promise<void> => {
  const name = databaseNameOf(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
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

/** Creates the database when missing, then applies pending migrations (one process at a time). */
export const migrateLedger = async (url: string): Promise<void> => {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url });
  await lock.connect();
  const dataSource = new DataSource(ledgerDataSourceOptions(url, 1));
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lock.end();
  }
};
