import { Client, Pool } from 'pg';
import { leaseFrom } from './pool-lease';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('a client leased for an append', () => {
  it('survives PostgreSQL cutting its connection between two queries: the next query fails, the process goes on', async () => {
    const pool = new Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const [client, release] = await leaseFrom(pool);
      const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const failed = await client.query('SELECT 1').then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failed).toBeInstanceOf(Error);
      release(failed);
      const [again, releaseAgain] = await leaseFrom(pool);
      expect((await again.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      releaseAgain();
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
