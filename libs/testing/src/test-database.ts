import { randomBytes } from 'node:crypto';
import { migrateLedger } from '@tally/ledger';
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

/** A fresh, migrated database of its own for one test file: runs never see each other's rows. */
export const createTestDatabase = async (label = 't'): Promise<TestDatabase> => {
  const name = `tally_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(adminUrl(), name);
  await migrateLedger(url);
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
