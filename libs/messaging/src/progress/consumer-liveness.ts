import { PartitionOffsets, PartitionProgress, isStalled, nextProgress } from './stall-detector';

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * What tells whether one consumer progresses: its group's offsets as read from the broker (not
 * from the consumer, which may be the thing that is stuck), the partitions the group gave it, and
 * whether kafkajs gave up on it. Time comes in as arguments (ms).
 */
export class ConsumerLiveness {
  private readonly progress = new Map<string, PartitionProgress>();
  private assignedAt = new Map<string, number>();
  private unassignedSince: number;
  private crash?: string;

  constructor(
    private readonly stallMs: number,
    now: number,
    private readonly fromBeginning = true,
  ) {
    this.unassignedSince = now;
  }

  /**
   * The partitions the group gave this consumer (at each join). One it keeps keeps its time, so
   * a rebalance does not hide that it was stuck; one it gets is watched from now on.
   */
  assigned(assignment: Record<string, number[]>, now: number): void {
    const next = new Map<string, number>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) next.set(keyOf(topic, partition), this.assignedAt.get(keyOf(topic, partition)) ?? now);
    }
    if (next.size === 0) this.unassignedSince = this.assignedAt.size === 0 ? this.unassignedSince : now;
    this.assignedAt = next;
    this.crash = undefined;
  }

  /** kafkajs stopped the consumer; unless it restarts it, nothing will be consumed any more. */
  crashed(error: unknown, willRestart: boolean): void {
    if (!willRestart) this.crash = error instanceof Error ? error.message : String(error);
  }

  /** A reading of the group's offsets; returns every partition's progress. */
  sampled(offsets: PartitionOffsets[], now: number): PartitionProgress[] {
    for (const o of offsets) {
      const key = keyOf(o.topic, o.partition);
      this.progress.set(key, nextProgress(this.progress.get(key), o, now, this.fromBeginning));
    }
    return [...this.progress.values()];
  }

  /**
   * What keeps the consumer from being healthy (none: it is). A partition counts when it is this
   * consumer's; while the group gives it none (not joined yet, or more consumers than partitions),
   * every partition counts, as nothing shows that the one stuck is another.
   */
  problems(now: number): string[] {
    const problems = this.crash === undefined ? [] : [`the consumer crashed and will not restart: ${this.crash}`];
    for (const p of this.progress.values()) {
      const since = this.assignedAt.size === 0 ? this.unassignedSince : this.assignedAt.get(keyOf(p.topic, p.partition));
      if (since === undefined || !isStalled(p, now, this.stallMs, since)) continue;
      const seconds = Math.round((now - Math.max(p.progressAt, since)) / 1000);
      problems.push(`${p.topic}/${p.partition}: no progress for ${seconds} s with ${p.lag} message(s) waiting`);
    }
    return problems;
  }
}
