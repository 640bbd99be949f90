import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const adminUrl = (): string => {
  const url = process.env.TALLY_TEST_DATABASE_URL;
  if (!url) throw new Error('TALLY_TEST_DATABASE_URL is not set: run integration tests through jest --selectProjects int');
  return url;
};

const withDatabase = (url: string, name: string): string => {
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
};

/**
 * A fresh database of its own for one test file (runs never see each other's rows), created and
 * migrated by `migrate` — pass `migrateLedger` from `@tally/ledger` (taken as an argument so this
 * lib does not depend on the ledger it helps to test).
 */
export const createTestDatabase = async (label: string, migrate: (url: string) => Promise<void>): Promise<TestDatabase> => {
  const name = `tally_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(adminUrl(), name);
  await migrate(url);
  return {
    url,
    name,
    drop: async () => {
      const admin = new Client({ connectionString: adminUrl() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
};
