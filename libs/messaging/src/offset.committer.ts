export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume, as Kafka commits it. */
  offset: string;
}

/**
 * Commits offsets behind the consumer instead of in its way: the next fetch does not wait for
 * the commit's round trip. Offsets handed over while a commit is in flight are merged (the latest
 * per partition) into the next one, so commits stay in order and a partition never goes back. A
 * commit that fails is reported and superseded by the next; until then a restart consumes those
 * messages again, which the ledger's idempotency makes harmless.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private running?: Promise<void>;

  constructor(
    private readonly commit: (offsets: PartitionOffset[]) => Promise<void>,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  add(offsets: PartitionOffset[]): void {
    for (const o of offsets) this.pending.set(`${o.topic}\u0000${o.partition}`, o);
    this.running ??= this.run();
  }

  /** Resolves once everything handed over so far was committed (or failed to be). */
  async flushed(): Promise<void> {
    await this.running;
  }

  private async run(): Promise<void> {
    while (this.pending.size > 0) {
      const offsets = [...this.pending.values()];
      this.pending.clear();
      try {
        await this.commit(offsets);
      } catch (error) {
        this.onFailure(error);
      }
    }
    this.running = undefined;
  }
}
