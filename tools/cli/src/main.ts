import { Command, CommanderError } from 'commander';
import { addFileCommands } from './commands/file.commands';
import { addImportCommand } from './commands/import.command';
import { addJobsCommands } from './commands/jobs.commands';
import { addLagCommand } from './commands/lag.command';
import { addOpsCommands } from './commands/ops.commands';
import { addReadCommands } from './commands/read.commands';
import { contextOf } from './context';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './exit-codes';

/** The `tally` program: one command per ops task over the ledger's HTTP API. */
export const buildProgram = (): Command => {
  const program = new Command('tally')
    .description('Tally ops toolkit: balances, histories, audit, replay, exports an auditor can verify, adjustments, imports')
    .option('--url <url>', 'the ledger service', process.env.TALLY_URL ?? 'http://127.0.0.1:3000')
    .option('--token <token>', 'bearer token (default: $TALLY_TOKEN)', process.env.TALLY_TOKEN)
    .option('--json', 'JSON on stdout for scripts, instead of tables')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  addReadCommands(program, contextOf);
  addOpsCommands(program, contextOf);
  addFileCommands(program, contextOf);
  addJobsCommands(program, contextOf);
  addImportCommand(program, contextOf);
  addLagCommand(program, contextOf);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
};

const report = (error: unknown, json: boolean): number => {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return EXIT_OK;
    if (json) process.stdout.write(`${JSON.stringify({ error: 'usage', message: error.message })}\n`);
    return EXIT_USAGE;
  }
  const known = error instanceof CliError;
  const message = known ? error.message : `unexpected failure: ${(error as Error).stack ?? String(error)}`;
  if (json)
    process.stdout.write(`${JSON.stringify({ error: known ? 'cli_error' : 'internal', message, ...(known && error.body ? { response: error.body } : {}) })}\n`);
  process.stderr.write(`tally: ${message}\n`);
  return known ? error.code : EXIT_FINDINGS;
};

export const main = async (argv: string[]): Promise<number> => {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    return report(error, argv.includes('--json'));
  }
};

/** The bin's entry: runs the command line and sets the exit code scripts read. */
export const run = (): Promise<void> =>
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
