import { Command, Option } from 'commander';
import { Context, GlobalOptions } from '../context';
import { printRecord, printTable, show } from '../output';
import { progressBar } from '../progress';
import { runExport } from './export.command';
import { formatOf, verifyFile } from './verify.command';

/** `export` (from the ledger to files) and `verify` (offline, from the file alone). */
export const addFileCommands = (program: Command, context: Context): void => {
  program
    .command('export')
    .description('stream events (a member, a store, or the whole ledger in a time range) to a file and its manifest.json')
    .requiredOption('--out <dir>', 'directory for events.<format> and manifest.json')
    .addOption(new Option('--format <format>', 'file format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--member <memberId>', "one member's history")
    .option('--store <storeId>', 'events that name this store')
    .option('--from <instant>', 'recorded at or after')
    .option('--to <instant>', 'recorded before')
    .action(async (opts: { out: string; format: 'jsonl' | 'csv'; member?: string; store?: string; from?: string; to?: string }, command: Command) => {
      const { client, output, url, interactive } = context(command);
      const started = Date.now();
      const manifest = await runExport(
        client,
        url,
        { out: opts.out, format: opts.format, memberId: opts.member, storeId: opts.store, from: opts.from, to: opts.to },
        progressBar('export', interactive),
      );
      const seconds = (Date.now() - started) / 1000;
      const { chainHeads: _heads, ...summary } = manifest;
      show(output, { ...summary, seconds }, () =>
        printRecord({
          file: `${opts.out}/${manifest.files[0].name}`,
          events: manifest.events,
          members: manifest.members,
          firstPosition: manifest.firstPosition,
          lastPosition: manifest.lastPosition,
          sha256: manifest.files[0].sha256,
          eventsPerSecond: Math.round(manifest.events / Math.max(seconds, 0.001)),
        }),
      );
      if (manifest.chainBreaks > 0) process.exitCode = 1;
    });

  program
    .command('verify')
    .description('recompute every hash of an export offline and name the line that breaks a chain; exit 1 if any does')
    .argument('<file>', 'events.jsonl or events.csv (a manifest.json beside it is checked too)')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['jsonl', 'csv']))
    .action(async (file: string, opts: { format?: string }, command: Command) => {
      const json = command.optsWithGlobals<GlobalOptions>().json === true;
      const report = await verifyFile(file, formatOf(file, opts.format), progressBar('verify', !json));
      show({ json }, report, () => {
        printRecord({
          file,
          ok: report.ok,
          lines: report.lines,
          events: report.events,
          members: report.members,
          breaks: report.breakCount,
          ...(report.manifest ?? {}),
        });
        if (report.breaks.length > 0) printTable(report.breaks, ['line', 'memberId', 'version', 'reason', 'message']);
      });
      if (!report.ok) process.exitCode = 1;
    });
};
