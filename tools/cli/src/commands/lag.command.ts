import { Command } from 'commander';
import { Context } from '../context';
import { printRecord, printTable, show } from '../output';

interface LagReport {
  consumers: { group: string; topic: string; partition: number; committed: string | null; end: string; lag: number }[];
  totalLag: number;
  outbox: { pendingTransactions: number; oldestAgeSeconds: number };
  consumersError?: string;
}

/** `lag`: consumer lag per group and partition, and the outbox relay's lag; exit 1 when Kafka could not be read. */
export const addLagCommand = (program: Command, context: Context): void => {
  program
    .command('lag')
    .description('consumer lag per group and partition, and the outbox lag (age of the oldest unrelayed event)')
    .action(async (_opts, command: Command) => {
      const { client, output } = context(command);
      const report = await client.get<LagReport>('ops/lag');
      show(output, report, () => {
        printTable(report.consumers, ['group', 'topic', 'partition', 'committed', 'end', 'lag']);
        printRecord({
          totalLag: report.totalLag,
          outboxPending: report.outbox.pendingTransactions,
          outboxLagSeconds: report.outbox.oldestAgeSeconds,
          ...(report.consumersError ? { consumersError: report.consumersError } : {}),
        });
      });
      if (report.consumersError) process.exitCode = 1;
    });
};
