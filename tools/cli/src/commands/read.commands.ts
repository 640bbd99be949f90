import { Command } from 'commander';
import { ApiClient } from '../api-client';
import { CliError } from '../exit-codes';
import { printRecord, printTable, show } from '../output';
import { Context } from '../context';

interface LedgerEventView {
  position: string;
  version: number;
  type: string;
  occurredAt: string;
  recordedAt: string;
  data: Record<string, unknown>;
}

const HISTORY_PAGE = 500;

/** Every event of a member, recorded at or before `asOf` when given, following `next` to the end. */
const historyOf = async (client: ApiClient, memberId: string, asOf?: string): Promise<LedgerEventView[]> => {
  const events: LedgerEventView[] = [];
  const until = asOf ? Date.parse(asOf) : undefined;
  for (let after = '0'; ;) {
    const page = await client.get<{ events: LedgerEventView[]; next: string | null }>(`members/${encodeURIComponent(memberId)}/events`, {
      after,
      limit: HISTORY_PAGE,
    });
    events.push(...page.events.filter((e) => until === undefined || Date.parse(e.recordedAt) <= until));
    if (!page.next || page.events.length === 0) return events;
    after = page.next;
  }
};

const assertInstant = (value: string | undefined): void => {
  if (value !== undefined && Number.isNaN(Date.parse(value)))
    throw new CliError(`--as-of must be an ISO-8601 instant, e.g. 2026-06-30T00:00:00Z, not ${value}`, 2);
};

/** Members and their balances: `member show`, `member history`, `balance`. */
export const addReadCommands = (program: Command, context: Context): void => {
  const member = program.command('member').description("a member's balance, lots and history");
  member
    .command('show')
    .description('balance and open lots of a member')
    .argument('<memberId>')
    .action(async (memberId: string, _opts, command: Command) => {
      const { client, output } = context(command);
      const path = `members/${encodeURIComponent(memberId)}`;
      const [balance, lots] = await Promise.all([
        client.get<Record<string, unknown>>(`${path}/balance`),
        client.get<{ lots: Record<string, unknown>[] }>(`${path}/lots`),
      ]);
      show(output, { balance, lots: lots.lots }, () => {
        printRecord(balance);
        printTable(lots.lots);
      });
    });
  member
    .command('history')
    .description("a member's events, oldest first")
    .argument('<memberId>')
    .option('--as-of <instant>', 'only events recorded at or before this instant')
    .action(async (memberId: string, opts: { asOf?: string }, command: Command) => {
      assertInstant(opts.asOf);
      const { client, output } = context(command);
      const events = await historyOf(client, memberId, opts.asOf);
      show(output, { memberId, asOf: opts.asOf ?? null, events }, () =>
        printTable(events, ['position', 'version', 'type', 'occurredAt', 'recordedAt', 'data']),
      );
    });
  program
    .command('balance')
    .description("a member's balance, now or as it was at an instant")
    .argument('<memberId>')
    .option('--as-of <instant>', 'the balance as it was visible at this instant')
    .action(async (memberId: string, opts: { asOf?: string }, command: Command) => {
      assertInstant(opts.asOf);
      const { client, output } = context(command);
      const balance = await client.get<Record<string, unknown>>(`members/${encodeURIComponent(memberId)}/balance`, { asOf: opts.asOf });
      show(output, balance, () => printRecord(balance));
    });
};
