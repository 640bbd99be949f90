// A worker thread starts without what the service's entry point loaded: the contracts it folds with are decorated classes.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'pg';
import { RangeResult, ReplayTaskResult, ReplayWorkerSetup, ReplayWorkerTask, replayRange } from './replay-range';
import { ORDERED_READS } from './snapshot-readers';

const connect = async (url: string): Promise<Client> => {
  const client = new Client({ connectionString: url, options: '-c jit=off' });
  await client.connect();
  return client;
};

/** A read-only transaction that adopts a snapshot as soon as it is told which (no query may come before). */
const reader = async (url: string): Promise<Client> => {
  const client = await connect(url);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  return client;
};

const adopt = async (client: Client, snapshot: string): Promise<void> => {
  await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
  await client.query(ORDERED_READS);
};

/**
 * A worker connects while the replay opens its snapshot and splits the members: its task (the
 * snapshot and its range) then arrives to connections that are ready (see LedgerReplay).
 */
const setup = workerData as ReplayWorkerSetup;
const connecting = Promise.all([reader(setup.url), reader(setup.url), ...(setup.write ? [connect(setup.url)] : [])]);

const run = async (task: ReplayWorkerTask): Promise<RangeResult> => {
  const clients = await connecting;
  try {
    const [log, live, writer] = clients;
    await adopt(log, task.snapshot);
    await adopt(live, task.snapshot);
    return await replayRange(
      { log, live, ...(writer ? { write: (sql, values) => writer.query(sql, values) } : {}) },
      task.range,
      task.limit,
      task.scope,
      (members) => parentPort?.postMessage({ progress: members } satisfies ReplayTaskResult),
    );
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
  }
};

parentPort?.once('message', (task: ReplayWorkerTask) =>
  run(task).then(
    (result) => parentPort?.postMessage({ ok: true, result } satisfies ReplayTaskResult),
    (error: Error) => parentPort?.postMessage({ ok: false, message: error.stack ?? error.message } satisfies ReplayTaskResult),
  ),
);
// A connection that fails before any task comes is reported with the task's answer.
connecting.catch(() => undefined);
