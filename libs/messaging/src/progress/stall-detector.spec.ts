import fc from 'fast-check';
import { ConsumerLiveness } from './consumer-liveness';
import { PartitionOffsets, PartitionProgress, isStalled, nextProgress, secondsSinceProgress } from './stall-detector';

const at = (committed: number | null, high: number, low = 0, partition = 0): PartitionOffsets => ({
  topic: 't',
  partition,
  committed: committed === null ? null : BigInt(committed),
  low: BigInt(low),
  high: BigInt(high),
});

/** The progress after readings `samples` taken at the given times (ms). */
const after = ([first, ...rest]: [number, PartitionOffsets][], fromBeginning = true): PartitionProgress =>
  rest.reduce((previous, [now, offsets]) => nextProgress(previous, offsets, now, fromBeginning), nextProgress(undefined, first[1], first[0], fromBeginning));

const STALL = 60_000;

describe('the stall detector', () => {
  it('reports a partition whose commit has not moved for the stall time while messages wait', () => {
    const p = after([
      [0, at(10, 20)],
      [30_000, at(10, 25)],
      [60_000, at(10, 30)],
    ]);
    expect(p.lag).toBe(20n);
    expect(isStalled(p, 59_999, STALL)).toBe(false);
    expect(isStalled(p, 60_000, STALL)).toBe(true);
    expect(secondsSinceProgress(p, 61_000)).toBe(61);
  });

  it('counts a commit that moved as progress, however much still waits', () => {
    const p = after([
      [0, at(10, 1000)],
      [50_000, at(11, 2000)],
    ]);
    expect(isStalled(p, 100_000, STALL)).toBe(false);
    expect(isStalled(p, 110_000, STALL)).toBe(true);
  });

  it('keeps an idle consumer with nothing waiting healthy, however long nothing moves', () => {
    const p = after([
      [0, at(20, 20)],
      [3_600_000, at(20, 20)],
    ]);
    expect(isStalled(p, 7_200_000, STALL)).toBe(false);
    expect(secondsSinceProgress(p, 7_200_000)).toBe(0);
  });

  it('counts from the last reading with nothing waiting when messages arrive at an idle consumer', () => {
    const p = after([
      [0, at(20, 20)],
      [100_000, at(20, 20)],
      [105_000, at(20, 21)],
    ]);
    expect(isStalled(p, 159_999, STALL)).toBe(false);
    expect(isStalled(p, 160_000, STALL)).toBe(true);
  });

  it('reads a group without a commit from where it starts: the log start, or its end for a group that starts there', () => {
    expect(after([[0, at(null, 30, 5)]]).lag).toBe(25n);
    expect(after([[0, at(null, 30, 5)]], false).lag).toBe(0n);
  });

  it('reads a commit below the log start (retention removed what was before) from the log start', () => {
    expect(after([[0, at(3, 30, 10)]]).lag).toBe(20n);
  });

  it('does not hold against a consumer the time before it got the partition', () => {
    const p = after([
      [0, at(10, 20)],
      [120_000, at(10, 20)],
    ]);
    expect(isStalled(p, 120_000, STALL)).toBe(true);
    expect(isStalled(p, 120_000, STALL, 100_000)).toBe(false);
    expect(isStalled(p, 160_000, STALL, 100_000)).toBe(true);
  });

  it('never calls a partition stalled sooner than the stall time after its commit last moved', () => {
    const reading = fc.record({ advance: fc.integer({ min: 0, max: 3 }), arrive: fc.integer({ min: 0, max: 3 }), waitMs: fc.integer({ min: 1, max: 30_000 }) });
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 40 }), (readings) => {
        let committed = 0;
        let high = 0;
        let now = 0;
        let lastMoveOrIdle = 0;
        let progress: PartitionProgress | undefined;
        for (const r of readings) {
          high += r.arrive;
          committed = Math.min(high, committed + r.advance);
          now += r.waitMs;
          const next = nextProgress(progress, at(committed, high), now);
          if (progress === undefined || BigInt(committed) !== progress.position || committed === high) lastMoveOrIdle = now;
          progress = next;
          expect(isStalled(progress, now, STALL)).toBe(committed < high && now - lastMoveOrIdle >= STALL);
        }
      }),
      { seed: 21, numRuns: 300 },
    );
  });
});

describe('a consumer’s liveness', () => {
  const stuck = [at(10, 20, 0, 0), at(5, 5, 0, 1)];

  it('names the partitions of this consumer that are stalled, and nothing else', () => {
    const liveness = new ConsumerLiveness(STALL, 0);
    liveness.assigned({ t: [0, 1] }, 0);
    liveness.sampled(stuck, 0);
    liveness.sampled(stuck, 59_000);
    expect(liveness.problems(59_000)).toEqual([]);
    liveness.sampled(stuck, 61_000);
    expect(liveness.problems(61_000)).toEqual(['t/0: no progress for 61 s with 10 message(s) waiting']);
  });

  it('does not answer for partitions the group gave another consumer', () => {
    const liveness = new ConsumerLiveness(STALL, 0);
    liveness.assigned({ t: [1] }, 0);
    liveness.sampled(stuck, 0);
    liveness.sampled(stuck, 120_000);
    expect(liveness.problems(120_000)).toEqual([]);
  });

  it('watches every partition while the group gives it none (not joined yet: it may be the one stuck)', () => {
    const liveness = new ConsumerLiveness(STALL, 0);
    liveness.sampled(stuck, 0);
    liveness.sampled(stuck, 70_000);
    expect(liveness.problems(70_000)).toHaveLength(1);
  });

  it('watches a partition it gets from when it got it, and one it keeps across a rebalance from before', () => {
    const liveness = new ConsumerLiveness(STALL, 0);
    liveness.assigned({ t: [1] }, 0);
    liveness.sampled(stuck, 0);
    liveness.assigned({ t: [0, 1] }, 50_000);
    liveness.sampled(stuck, 100_000);
    expect(liveness.problems(100_000)).toEqual([]);
    expect(liveness.problems(110_000)).toHaveLength(1);
  });

  it('is unhealthy once kafkajs crashed the consumer for good, and not while it restarts it', () => {
    const liveness = new ConsumerLiveness(STALL, 0);
    liveness.crashed(new Error('The group member needs to have a valid member id'), true);
    expect(liveness.problems(0)).toEqual([]);
    liveness.crashed(new Error('INCONSISTENT_GROUP_PROTOCOL'), false);
    expect(liveness.problems(0)).toEqual(['the consumer crashed and will not restart: INCONSISTENT_GROUP_PROTOCOL']);
    liveness.assigned({ t: [0] }, 1000);
    expect(liveness.problems(1000)).toEqual([]);
  });
});
