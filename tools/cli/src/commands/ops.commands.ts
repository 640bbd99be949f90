import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { CliError } from '../exit-codes';
import { printJson, printRecord, printTable, show } from '../output';
import { Context } from '../context';

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const nonZeroInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n === 0) throw new InvalidArgumentError('expected a whole number other than 0, e.g. 200 or -200');
  return n;
};

interface AuditReport {
  ok: boolean;
  eventsChecked: number;
  members: number;
  violationCount: number;
  violations: Record<string, unknown>[];
}

interface ReplayReport {
  eventsReplayed: number;
  ms: number;
  identical: boolean;
  swapped?: boolean;
  differences: unknown[];
}

/** A list endpoint with a cursor: every page up to `limit` items. */
const listCommand = (program: Command, context: Context, name: string, path: string, key: string, description: string, memberFilter: boolean) => {
  const command = program
    .command(name)
    .description(description)
    .option('--limit <n>', 'items at most', positiveInt, 100)
    .option('--after <cursor>', 'start after this id');
  if (memberFilter) command.option('--member <memberId>', 'only this member');
  command.action(async (opts: { limit: number; after?: string; member?: string }, self: Command) => {
    const { client, output } = context(self);
    const page = await client.get<Record<string, unknown>>(path, { limit: Math.min(opts.limit, 500), after: opts.after, memberId: opts.member });
    show(output, page, () => {
      printTable((page[key] as Record<string, unknown>[]) ?? []);
      if (page.next) process.stdout.write(`more: --after ${page.next}\n`);
    });
  });
};

/** Audit, replay, adjustments and the lists ops reads. */
export const addOpsCommands = (program: Command, context: Context): void => {
  program
    .command('audit')
    .description('verify hash chains, versions and that lots add up to balances; exit 1 on any violation')
    .option('--limit <n>', 'violations listed at most', positiveInt, 100)
    .action(async (opts: { limit: number }, command: Command) => {
      const { client, output } = context(command);
      const report = await client.get<AuditReport>('ops/audit', { limit: opts.limit });
      show(output, report, () => {
        printRecord({ ok: report.ok, eventsChecked: report.eventsChecked, members: report.members, violationCount: report.violationCount });
        if (report.violations.length > 0) printTable(report.violations);
      });
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('replay')
    .description('rebuild every projection from the log and compare; exit 1 when they differ')
    .option('--swap', 'swap the rebuilt projections in', false)
    .action(async (opts: { swap: boolean }, command: Command) => {
      const { client, output } = context(command);
      const { body } = await client.post<ReplayReport>('ops/replay', { swap: opts.swap });
      show(output, body, () => {
        printRecord({
          eventsReplayed: body.eventsReplayed,
          ms: body.ms,
          identical: body.identical,
          swapped: body.swapped ?? opts.swap,
          differences: body.differences.length,
        });
        if (body.differences.length > 0) printJson(body.differences.slice(0, 20));
      });
      if (!body.identical) process.exitCode = 1;
    });

  program
    .command('adjust')
    .description('add (positive) or take (negative) points by hand, as points.adjusted')
    .argument('<memberId>')
    .argument('<points>', 'e.g. 200 or -200 (put -- before a negative number)', nonZeroInt)
    .requiredOption('--reason <reason>', 'why, as a short code or phrase')
    .option('--note <note>', 'free text kept with the event')
    .option('--id <adjustmentId>', 'idempotency key; a retry with the same id moves nothing twice (default: a new one)')
    .option('--debt', 'book what the lots cannot cover as debt instead of refusing', false)
    .action(async (memberId: string, points: number, opts: { reason: string; note?: string; id?: string; debt: boolean }, command: Command) => {
      const { client, output } = context(command);
      const body = {
        adjustmentId: opts.id ?? `cli-${randomUUID()}`,
        points,
        reason: opts.reason,
        ...(opts.note ? { note: opts.note } : {}),
        ...(opts.debt ? { debt: true } : {}),
      };
      const reply = await client.post<Record<string, unknown>>(`ops/members/${encodeURIComponent(memberId)}/adjustments`, body);
      show(output, reply.body, () => printRecord({ ...reply.body, replayed: reply.status === 200 }));
    });

  listCommand(program, context, 'dead-letters', 'ops/dead-letters', 'deadLetters', 'what went to the dead-letter topic, with reasons', false);
  listCommand(program, context, 'rejections', 'ops/rejections', 'rejections', 'business refusals with reason codes', true);
  program
    .command('parked')
    .description('inputs waiting for what they depend on, oldest first')
    .option('--limit <n>', 'items at most', positiveInt, 100)
    .option('--member <memberId>', 'only this member')
    .action(async (opts: { limit: number; member?: string }, command: Command) => {
      const { client, output } = context(command);
      const page = await client.get<{ parked: Record<string, unknown>[]; total: number }>('ops/parked', {
        limit: Math.min(opts.limit, 500),
        memberId: opts.member,
      });
      show(output, page, () => {
        printTable(page.parked);
        process.stdout.write(`total: ${page.total}\n`);
      });
    });
};

export { CliError };
