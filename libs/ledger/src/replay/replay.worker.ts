import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'pg';
import { RangeResult, ReplayTask, ReplayTaskResult, replayRange } from './replay-range';
import { ORDERED_READS } from './snapshot-readers';

/** A client of its own in the replay's snapshot (read-only), or a plain one for writing. */
const connect = async (url: string, snapshot?: string): Promise<Client> => {
  const client = new Client({ connectionString: url, options: '-c jit=off' });
  await client.connect();
  if (snapshot !== undefined) {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    await client.query(ORDERED_READS);
  }
  return client;
};

/** Runs one range of a replay on this thread's own connections (see LedgerReplay). */
const run = async (task: ReplayTask): Promise<RangeResult> => {
  const clients = [await connect(task.url, task.snapshot), await connect(task.url, task.snapshot)];
  if (task.write) clients.push(await connect(task.url));
  try {
    const [log, live, writer] = clients;
    return await replayRange({ log, live, ...(writer ? { write: (sql, values) => writer.query(sql, values) } : {}) }, task.range, task.limit);
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
  }
};

run(workerData as ReplayTask).then(
  (result) => parentPort?.postMessage({ ok: true, result } satisfies ReplayTaskResult),
  (error: Error) => parentPort?.postMessage({ ok: false, message: error.stack ?? error.message } satisfies ReplayTaskResult),
);
