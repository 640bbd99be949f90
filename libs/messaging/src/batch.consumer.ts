import { Topic, physicalTopicName } from '@tally/contracts';
import { Consumer, Kafka } from 'kafkajs';
import { BatchCoalescer, BatchCoalescerOptions } from './batch.coalescer';
import { OffsetCommitter, PartitionOffset } from './offset.committer';

/** A consumed message with everything a dead letter must keep. */
export interface ConsumedMessage {
  topic: string;
  /** The topic's contract name (namespace removed). */
  contractTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: string;
}

/** One partition's fetched batch, and the offset to commit once it is handled. */
interface PartitionBatch {
  messages: ConsumedMessage[];
  commit: PartitionOffset;
}

export type BatchHandler = (messages: ConsumedMessage[]) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topics: readonly Topic<unknown>[];
  namespace: string;
  handle: BatchHandler;
  /** Called when a batch fails and will be retried: the consumer never dies on a handler error. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Called when an offset commit fails (the next one supersedes it). */
  onCommitFailed?: (error: unknown) => void;
  fromBeginning?: boolean;
  /** Partition batches in progress at once (default 16): more than the partitions one fetch returns lets them all coalesce. */
  partitionsConsumedConcurrently?: number;
  /** How partition batches are joined into handler calls (default: up to 5,000 messages, 2 calls in flight). */
  coalesce?: BatchCoalescerOptions;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const headersOf = (headers: Record<string, unknown> | undefined): Record<string, Buffer> => {
  const out: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (Buffer.isBuffer(value)) out[name] = value;
    else if (typeof value === 'string') out[name] = Buffer.from(value);
  }
  return out;
};

/**
 * Consumes whole batches per partition: the handler gets every message of the batch (joined with
 * the other partitions' batches of the same fetch, see `BatchCoalescer`), and the offsets are
 * committed only after it returns (without holding up the next fetch, see `OffsetCommitter`), so
 * a crash replays the batch (the ledger's idempotency makes that harmless). A failing batch is
 * retried with backoff while heartbeating; nothing is skipped and the process does not exit.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly contractNames: Map<string, string>;
  private readonly coalescer: BatchCoalescer<PartitionBatch>;
  private readonly committer: OffsetCommitter;

  constructor(kafka: Kafka, private readonly options: BatchConsumerOptions) {
    this.committer = new OffsetCommitter((offsets) => this.consumer.commitOffsets(offsets), (error) => options.onCommitFailed?.(error));
    this.coalescer = new BatchCoalescer((batches) => this.handleTogether(batches), (b) => b.messages.length, options.coalesce ?? { maxMessages: 5000, maxConcurrent: 2 });
    this.consumer = kafka.consumer({
      groupId: `${options.namespace}${options.groupId}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 2 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    this.contractNames = new Map(options.topics.map((t) => [physicalTopicName(t, options.namespace), t.name]));
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.contractNames.keys()], fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 16,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        const messages: ConsumedMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          contractTopic: this.contractNames.get(batch.topic) ?? batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString('utf8') : null,
          value: m.value,
          headers: headersOf(m.headers as Record<string, unknown>),
          timestamp: new Date(Number(m.timestamp)).toISOString(),
        }));
        for (let attempt = 1; ; attempt++) {
          if (!isRunning() || isStale()) return;
          try {
            await this.coalescer.submit({ messages, commit: { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() } });
            break;
          } catch (error) {
            this.options.onRetry?.(error, attempt);
            await heartbeat().catch(() => undefined);
            await sleep(Math.min(30_000, 200 * 2 ** Math.min(attempt, 8)));
          }
        }
        // Its offset is on its way to be committed (handleTogether); resolving moves the fetch position, or the same batch would be fetched again.
        resolveOffset(batch.lastOffset());
      },
    });
  }

  /** One handler call for the partitions' batches; their offsets are committed after it, in the background. */
  private async handleTogether(batches: PartitionBatch[]): Promise<void> {
    await this.options.handle(batches.length === 1 ? batches[0].messages : batches.flatMap((b) => b.messages));
    this.committer.add(batches.map((b) => b.commit));
  }

  async stop(): Promise<void> {
    await this.committer.flushed();
    await this.consumer.disconnect();
  }
}
