/**
 * Runs a task on an interval, never two at once in one process: a tick while a run is in flight
 * shares that run. `stop()` clears the timer and waits for the run in flight, so a service can close
 * its connection pool after it. The task handles (logs) its own errors.
 */
export class IntervalRunner<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<T>;

  constructor(
    private readonly everyMs: number,
    private readonly task: () => Promise<T>,
  ) {}

  /** Starts the timer; an interval of 0 or less leaves the task to explicit `run()` calls. */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.run().catch(() => undefined), this.everyMs);
    this.timer.unref();
  }

  run(): Promise<T> {
    this.running ??= this.task().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
