import { CommandResult, LedgerCommand } from './ledger-command';
import { LedgerStore } from './ledger.store';

export interface LedgerBatcherOptions {
  /** Most commands in one transaction. */
  maxBatch?: number;
  /** Transactions in flight at once; further commands wait and then go together. */
  maxConcurrent?: number;
}

interface Pending {
  command: LedgerCommand<unknown>;
  resolve: (result: CommandResult<unknown>) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for commands that arrive one at a time (HTTP requests): while transactions are in
 * flight, new commands queue, and the queue goes to the store as one batch when a slot frees. Under
 * load a request costs a share of one transaction instead of a transaction of its own, and requests
 * for the same member are decided one after the other in memory with a single state write.
 * At low load a command goes alone at once, so latency does not grow.
 */
export class LedgerBatcher {
  private readonly queue: Pending[] = [];
  /** Members that a batch in flight appends to. */
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;

  constructor(
    private readonly store: LedgerStore,
    options: LedgerBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxConcurrent = options.maxConcurrent ?? 2;
  }

  submit<R>(command: LedgerCommand<R>): Promise<CommandResult<R>> {
    return new Promise<CommandResult<R>>((resolve, reject) => {
      this.queue.push({ command, resolve: resolve as (r: CommandResult<unknown>) => void, reject });
      this.drain();
    });
  }

  /**
   * Starts batches while slots are free. A command for a member that a batch in flight already
   * appends to waits for that batch: two batches deciding for one member at once would have one of
   * them decided again (its head moved), so a hot member's commands go one batch after the other.
   */
  private drain(): void {
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const pending of this.queue) {
        const free = batch.length < this.maxBatch && pending.command.memberIds.every((id) => !this.busy.has(id));
        (free ? batch : rest).push(pending);
      }
      if (batch.length === 0) return;
      this.queue.splice(0, this.queue.length, ...rest);
      const members = new Set(batch.flatMap((p) => p.command.memberIds));
      for (const id of members) this.busy.add(id);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        for (const id of members) this.busy.delete(id);
        this.inFlight -= 1;
        this.drain();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const results = await this.store.execute(batch.map((p) => p.command));
      results.forEach((result, i) => batch[i].resolve(result));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // One command's failure must not fail its neighbours: run each alone to find it.
      for (const pending of batch) {
        await this.store.executeOne(pending.command).then(pending.resolve, pending.reject);
      }
    }
  }
}
