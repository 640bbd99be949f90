import { Topic, physicalTopicName } from '@tally/contracts';
import { Consumer, Kafka } from 'kafkajs';

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

export type BatchHandler = (messages: ConsumedMessage[]) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topics: readonly Topic<unknown>[];
  namespace: string;
  handle: BatchHandler;
  /** Called when a batch fails and will be retried: the consumer never dies on a handler error. */
  onRetry?: (error: unknown, attempt: number) => void;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
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
 * Consumes whole batches per partition: the handler gets every message of the batch, and the
 * offsets are committed only after it returns, so a crash replays the batch (the ledger's
 * idempotency makes that harmless). A failing batch is retried with backoff while heartbeating;
 * nothing is skipped and the process does not exit.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly contractNames: Map<string, string>;

  constructor(kafka: Kafka, private readonly options: BatchConsumerOptions) {
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
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
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
            await this.options.handle(messages);
            break;
          } catch (error) {
            this.options.onRetry?.(error, attempt);
            await heartbeat().catch(() => undefined);
            await sleep(Math.min(30_000, 200 * 2 ** Math.min(attempt, 8)));
          }
        }
        // Resolving moves the fetch position; committing alone would fetch the same batch again.
        resolveOffset(batch.lastOffset());
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
