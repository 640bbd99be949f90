import { Pool, PoolClient } from 'pg';

/** A client checked out of a pool, and how to give it back (with the error that spoiled it, if any). */
export type Lease = [PoolClient, (error?: Error) => void];

const unheard = (): void => undefined;

/**
 * Checks a client out of `pool`. A checked-out client has no error listener of the pool's: a
 * connection PostgreSQL cuts between two of its queries would be an unheard error event, which ends
 * the process. Heard here, the next query fails instead and its batch is retried.
 */
export const leaseFrom = async (pool: Pool): Promise<Lease> => {
  const client = await pool.connect();
  client.on('error', unheard);
  return [
    client,
    (error) => {
      client.removeListener('error', unheard);
      client.release(error);
    },
  ];
};
