import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { ApiClient } from '../api-client';
import { Context } from '../context';
import { CliError, EXIT_USAGE } from '../exit-codes';
import { printRecord, printTable, show } from '../output';
import { Progress, progressBar } from '../progress';

export interface JobView {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: { done: number; total: number | null; rate: number | null; etaSeconds: number | null };
  result?: { ok?: boolean; identical?: boolean; refused?: number };
  error?: string;
  createdAt: string;
}

const POLL_MS = 500;

/** Polls a job until it is done or failed, showing its progress. */
export const waitFor = async (client: ApiClient, id: string, progress: Progress): Promise<JobView> => {
  for (;;) {
    const job = await client.get<JobView>(`ops/jobs/${id}`);
    progress.tick(job.progress.done, job.progress.total);
    if (job.state === 'done' || job.state === 'failed') {
      progress.stop();
      return job;
    }
    await sleep(POLL_MS);
  }
};

/** A finished job's exit code: a failed job, a failed audit or a replay that differs are findings. */
const codeOf = (job: JobView): number => (job.state === 'failed' || job.result?.ok === false || job.result?.identical === false ? 1 : 0);

const summary = (job: JobView) => ({
  id: job.id,
  kind: job.kind,
  state: job.state,
  done: job.progress.done,
  total: job.progress.total,
  rate: job.progress.rate,
  etaSeconds: job.progress.etaSeconds,
  createdAt: job.createdAt,
  ...(job.error ? { error: job.error } : {}),
});

interface StartOptions {
  kind: string;
  members?: string;
  membersFrom?: string;
  membersTo?: string;
  from?: string;
  to?: string;
  swap: boolean;
  wait: boolean;
}

/** `jobs` lists; `jobs show ID` one; `jobs start audit|replay` starts (or joins) one and, with --wait, follows it. */
export const addJobsCommands = (program: Command, context: Context): void => {
  const jobs = program
    .command('jobs')
    .description('audits and replays run as jobs on the ledger: list, show, start')
    .action(async (_opts, command: Command) => {
      const { client, output } = context(command);
      const list = await client.get<{ jobs: JobView[] }>('ops/jobs');
      show(output, list, () => printTable(list.jobs.map(summary)));
    });
  jobs
    .command('show')
    .description('one job: state, progress and result; exit 1 if it failed or found something')
    .argument('<id>')
    .action(async (id: string, _opts, command: Command) => {
      const { client, output } = context(command);
      const job = await client.get<JobView>(`ops/jobs/${id}`);
      show(output, job, () => printRecord({ ...summary(job), result: job.result }));
      if (job.state === 'done' || job.state === 'failed') process.exitCode = codeOf(job);
    });
  jobs
    .command('start')
    .description('start an audit or a replay job (or join the one running with the same scope)')
    .addOption(new Option('--kind <kind>', 'what to run').choices(['audit', 'replay']).makeOptionMandatory())
    .option('--members <ids>', 'comma-separated member ids')
    .option('--members-from <id>', 'members whose id is at or after this one (byte order); with --members-to')
    .option('--members-to <id>', 'members whose id is at or before this one (byte order); with --members-from')
    .option('--from <instant>', 'members with an event recorded at or after (an audit checks those events)')
    .option('--to <instant>', 'members with an event recorded before (an audit checks those events)')
    .option('--swap', 'replay: swap the rebuilt projections in', false)
    .option('--wait', 'follow the job with a progress bar until it ends; exit 1 on findings', false)
    .action(async (opts: StartOptions, command: Command) => {
      const { client, output, interactive } = context(command);
      if ((opts.membersFrom === undefined) !== (opts.membersTo === undefined)) throw new CliError('--members-from and --members-to go together', EXIT_USAGE);
      const scope = {
        ...(opts.members ? { memberIds: opts.members.split(',') } : {}),
        ...(opts.membersFrom !== undefined && opts.membersTo !== undefined ? { memberRange: { from: opts.membersFrom, to: opts.membersTo } } : {}),
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.to ? { to: opts.to } : {}),
      };
      const { body } = await client.post<{ id: string; state: string; joined: boolean }>('ops/jobs', {
        kind: opts.kind,
        scope,
        ...(opts.kind === 'replay' ? { swap: opts.swap } : {}),
      });
      if (!opts.wait) {
        show(output, body, () => printRecord(body));
        return;
      }
      const job = await waitFor(client, body.id, progressBar(opts.kind, interactive));
      show(output, job, () => printRecord({ ...summary(job), result: job.result }));
      process.exitCode = codeOf(job);
    });
};
