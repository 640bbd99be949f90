import { LazyAdmin } from '@tally/platform';
import { Admin, Kafka } from 'kafkajs';
import { PartitionOffsets } from './stall-detector';

export interface ProgressMonitorOptions {
  /** The group's and the topics' physical names. */
  groupId: string;
  topics: string[];
  /** How often the offsets are read. */
  pollMs: number;
  onSample: (offsets: PartitionOffsets[], now: number) => void;
  onPollFailed?: (error: unknown) => void;
  now?: () => number;
}

/** Every request settled, then the first failure thrown: none is left running when the caller drops the client. */
const settled = async <T>(requests: Promise<T>[]): Promise<T[]> => {
  const outcomes = await Promise.allSettled(requests);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
};

/**
 * Every partition's end offsets and the group's commits on it, as the broker has them. The
 * requests all settle before a failure is thrown: a failed reading disconnects the admin client,
 * and a request still connecting then would open a connection nobody closes.
 */
export const readGroupOffsets = async (admin: Admin, groupId: string, topics: string[]): Promise<PartitionOffsets[]> => {
  const [commits, ...ends] = (await settled<unknown>([admin.fetchOffsets({ groupId, topics }), ...topics.map((topic) => admin.fetchTopicOffsets(topic))])) as [
    Awaited<ReturnType<Admin['fetchOffsets']>>,
    ...Awaited<ReturnType<Admin['fetchTopicOffsets']>>[],
  ];
  return topics.flatMap((topic, i) => {
    const committed = commits.find((c) => c.topic === topic)?.partitions ?? [];
    return ends[i].map((end) => {
      const commit = committed.find((c) => c.partition === end.partition)?.offset ?? '-1';
      return { topic, partition: end.partition, committed: BigInt(commit) < 0n ? null : BigInt(commit), low: BigInt(end.low), high: BigInt(end.high) };
    });
  });
};

/**
 * Reads a group's offsets every `pollMs` through an admin client of its own, so it sees what the
 * broker has committed whether the consumer is busy, stuck or crashed. Readings never overlap; a
 * failed one drops the connection, and the next one opens another.
 */
export class ProgressMonitor {
  private readonly admin: LazyAdmin;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly options: ProgressMonitorOptions,
  ) {
    this.admin = new LazyAdmin(() => kafka.admin({ retry: { retries: 1 } }));
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
    void this.poll();
  }

  /** One reading now (or the one under way). */
  poll(): Promise<void> {
    this.polling ??= this.read()
      .catch((error: unknown) => this.options.onPollFailed?.(error))
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.admin.reset();
  }

  private async read(): Promise<void> {
    const offsets = await this.admin.use((admin) => readGroupOffsets(admin, this.options.groupId, this.options.topics));
    this.options.onSample(offsets, (this.options.now ?? Date.now)());
  }
}
