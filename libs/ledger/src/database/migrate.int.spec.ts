import { Client } from 'pg';
import { ensureDatabase, migrateLedger } from './data-source';

const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const MIGRATION_LOCK_KEY = 7_366_001;

describe('migrating the ledger when PostgreSQL cuts its connections', () => {
  jest.setTimeout(120_000);
  const url = new URL(base);
  url.pathname = `/tally_migrate_${Date.now().toString(36)}`;

  afterAll(async () => {
    const admin = new Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  });

  it('tries again instead of failing the service start', async () => {
    await ensureDatabase(url.toString());
    const holder = new Client({ connectionString: url.toString() });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const migrating = migrateLedger(url.toString());
    // The migration waits for the lock another starting service holds; its connection is cut there.
    let waiting: number | undefined;
    for (let i = 0; i < 200 && waiting === undefined; i++) {
      const { rows } = await holder.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_advisory_lock%' AND wait_event_type = 'Lock'`,
        [url.pathname.slice(1)],
      );
      waiting = rows[0]?.pid;
      if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(waiting).toBeDefined();
    await holder.query('SELECT pg_terminate_backend($1)', [waiting]);
    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await holder.end();
    await expect(migrating).resolves.toBeUndefined();
    const check = new Client({ connectionString: url.toString() });
    await check.connect();
    const { rows } = await check.query('SELECT count(*)::int AS n FROM tally_migrations');
    await check.end();
    expect(rows[0].n).toBeGreaterThan(10);
  });
});
