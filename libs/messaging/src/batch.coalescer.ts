export interface BatchCoalescerOptions {
  /** Most messages handed over in one call; batches beyond it wait for the next call. */
  maxMessages: number;
  /** Calls in flight at once. */
  maxConcurrent: number;
}

interface Waiting<B> {
  batch: B;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit across partitions: the batches the consumer fetched together (one per partition)
 * are handed to the handler as one call, so one fetch costs one ledger transaction instead of one
 * per partition. A batch waits at most until the calls in flight are done; one that arrives while
 * a slot is free goes after the current tick, together with whatever else arrived in it. A failed
 * call fails every batch in it (each is then retried by its partition's loop). Batches keep their
 * order, and a partition never has two batches here, so per-key order holds.
 */
export class BatchCoalescer<B> {
  private readonly waiting: Waiting<B>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `handle` takes the batches of one call; `sizeOf` counts a batch's messages. */
  constructor(
    private readonly handle: (batches: B[]) => Promise<void>,
    private readonly sizeOf: (batch: B) => number,
    private readonly options: BatchCoalescerOptions,
  ) {}

  submit(batch: B): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.schedule();
    });
  }

  /** The other partitions' batches of the same fetch arrive within the tick: wait for them. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxConcurrent) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxConcurrent && this.waiting.length > 0) {
      this.inFlight += 1;
      void this.run(this.take());
    }
  }

  /** Whole batches from the front, at least one, up to `maxMessages` together. */
  private take(): Waiting<B>[] {
    let count = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || count + this.sizeOf(this.waiting[n].batch) <= this.options.maxMessages)) {
      count += this.sizeOf(this.waiting[n].batch);
      n += 1;
    }
    return this.waiting.splice(0, n);
  }

  /** The slot frees before the batches hear back: what waits is already scheduled when they resume. */
  private async run(group: Waiting<B>[]): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      await this.handle(group.map((w) => w.batch));
    } catch (error) {
      failure = { error };
    }
    this.inFlight -= 1;
    this.schedule();
    for (const w of group) {
      if (failure) w.reject(failure.error);
      else w.resolve();
    }
  }
}
