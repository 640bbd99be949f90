/**
 * A partition as the broker reports it: the group's committed offset (null: it committed none
 * yet), and the log's first and next offsets.
 */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  committed: bigint | null;
  low: bigint;
  high: bigint;
}

/**
 * What is known of a group's progress on one partition: where it will read next, how many
 * messages wait behind that (its lag), and when it last made progress: its commit moved, or
 * nothing was waiting (an idle consumer is not a stuck one).
 */
export interface PartitionProgress {
  topic: string;
  partition: number;
  position: bigint;
  lag: bigint;
  progressAt: number;
}

/** Where the group reads next: its commit (retention may have removed what lies before the log's start), else where a new group starts. */
export const positionOf = (offsets: PartitionOffsets, fromBeginning: boolean): bigint => {
  if (offsets.committed === null) return fromBeginning ? offsets.low : offsets.high;
  return offsets.committed < offsets.low ? offsets.low : offsets.committed;
};

/** The partition's progress after a new reading at `now` (ms); the first reading counts as progress, as nothing is known before it. */
export const nextProgress = (previous: PartitionProgress | undefined, offsets: PartitionOffsets, now: number, fromBeginning = true): PartitionProgress => {
  const position = positionOf(offsets, fromBeginning);
  const lag = offsets.high > position ? offsets.high - position : 0n;
  const progressed = previous === undefined || position !== previous.position || lag === 0n;
  return { topic: offsets.topic, partition: offsets.partition, position, lag, progressAt: progressed ? now : previous.progressAt };
};

/** Seconds since the partition last made progress; 0 while nothing waits. */
export const secondsSinceProgress = (progress: PartitionProgress, now: number): number =>
  progress.lag === 0n ? 0 : Math.max(0, now - progress.progressAt) / 1000;

/**
 * Stalled: messages wait and the group's commit has not moved for `stallMs`, counted at the
 * earliest from `watchedSince` (when this consumer got the partition: another's lack of progress
 * before that is not its own).
 */
export const isStalled = (progress: PartitionProgress, now: number, stallMs: number, watchedSince = Number.NEGATIVE_INFINITY): boolean =>
  progress.lag > 0n && now - Math.max(progress.progressAt, watchedSince) >= stallMs;
