import { randomUUID } from 'node:crypto';
import { CommandResult, LedgerStore, MemberStateCache, MemberStates, ledgerAppendPool, ledgerDataSourceOptions } from '@tally/ledger';
import { Program } from '@tally/program';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ModelSpec, ResultSummary, commandOf } from './model-commands';

/**
 * One store process of the model: a ledger store with a cache and connections of its own, as a
 * service instance has. It executes the specs it is sent as one batch and answers plain results.
 */
export type WorkerRequest =
  { id: number; type: 'init'; url: string; programs: Record<string, Program> } | { id: number; type: 'execute'; program: string; specs: ModelSpec[] };
export type WorkerReply = { id: number; ok: true; results?: ResultSummary[] } | { id: number; ok: false; error: string };

let dataSource: DataSource | undefined;
let pool: Pool | undefined;
let store: LedgerStore | undefined;
let programs: Record<string, Program> = {};

export const summaryOf = (result: CommandResult<unknown>): ResultSummary => {
  switch (result.status) {
    case 'appended':
      return { status: 'appended', events: result.events.map(({ memberId, version, type }) => ({ memberId, version, type })) };
    case 'rejected':
      return { status: 'rejected', code: result.code, final: result.final };
    case 'skipped':
      return { status: 'skipped' };
    case 'duplicate':
      return { status: 'duplicate', outcome: result.outcome, sameFingerprint: result.sameFingerprint };
  }
};

const handle = async (request: WorkerRequest): Promise<ResultSummary[] | undefined> => {
  if (request.type === 'init') {
    programs = request.programs;
    dataSource = await new DataSource(ledgerDataSourceOptions(request.url, 2)).initialize();
    pool = ledgerAppendPool(request.url, 2);
    store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID, pool, states: new MemberStates(new MemberStateCache(10_000)) });
    return undefined;
  }
  const rules = programs[request.program];
  if (!store || !rules) throw new Error(`worker not initialised, or no program ${request.program}`);
  return (await store.execute(request.specs.map((spec) => commandOf(spec, rules)))).map(summaryOf);
};

process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (results) => process.send?.({ id: request.id, ok: true, ...(results ? { results } : {}) } satisfies WorkerReply),
    (error: Error) => process.send?.({ id: request.id, ok: false, error: error.stack ?? error.message } satisfies WorkerReply),
  );
});

process.on('disconnect', () => {
  void Promise.allSettled([pool?.end(), dataSource?.destroy()]).then(() => process.exit(0));
});
