import { Logger } from '@nestjs/common';
import { Topic, physicalTopicName } from '@tally/contracts';
import { Metrics, inSpan, isInfrastructureError } from '@tally/platform';
import { batchTrace } from './batch.trace';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { BatchCoalescer, BatchCoalescerOptions } from './batch.coalescer';
import { DeadLetterSink, deadLetterAlone, handleIsolatingFailures } from './failure-isolation';
import { OffsetCommitter, PartitionOffset } from './offset.committer';
import { ConsumerLiveness } from './progress/consumer-liveness';
import { ProgressMonitor } from './progress/progress.monitor';
import { PartitionProgress, secondsSinceProgress } from './progress/stall-detector';

/** A consumed message with everything a dead letter must keep. */
export interface ConsumedMessage {
  topic: string;
  /** The topic's contract name (namespace removed). */
  contractTopic: string;
  partition: number;
  offset: string;
  /** The key read as UTF-8 text (bytes that are not UTF-8 become U+FFFD). */
  key: string | null;
  /** The key's bytes as they came, for a dead letter to keep exactly; absent on messages made by hand. */
  rawKey?: Buffer | null;
  value: Buffer | null;
  /** A header sent more than once under one name (kafkajs reads those as a list) keeps every value, in order. */
  headers: Record<string, Buffer | Buffer[]>;
  timestamp: string;
  /** The headers as kafkajs decoded them, untouched (a trace is looked up there without building `headers`). */
  rawHeaders?: Record<string, unknown>;
}

/** One partition's fetched batch, the offset to commit once it is handled, and its heartbeat. */
interface PartitionBatch {
  messages: ConsumedMessage[];
  commit: PartitionOffset;
  heartbeat: () => Promise<void>;
}

export type BatchHandler = (messages: ConsumedMessage[]) => Promise<void>;

export interface BatchConsumerOptions {
  groupId: string;
  topics: readonly Topic<unknown>[];
  namespace: string;
  handle: BatchHandler;
  /**
   * Dead-letters one message (to the dead-letter topic, and kept for ops): the one a handler call
   * still fails on alone, once a call that failed on something other than infrastructure was
   * split down to it (see `handleIsolatingFailures`).
   */
  deadLetter: DeadLetterSink;
  /** Called when a batch fails on infrastructure and will be retried: the consumer never dies on a handler error. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Called when an offset commit fails (the next one supersedes it). */
  onCommitFailed?: (error: unknown) => void;
  fromBeginning?: boolean;
  /** Partition batches in progress at once (default 16): more than the partitions one fetch returns lets them all coalesce. */
  partitionsConsumedConcurrently?: number;
  /** How partition batches are joined into handler calls (default: up to 2,000 messages, 2 calls in flight). */
  coalesce?: BatchCoalescerOptions;
  /**
   * Most messages of one partition handed over at once (default 1,000). A fetch brings up to
   * `maxBytesPerPartition` per partition (about 9,000 purchases); handled whole, such a batch held
   * everything decided for it for a second, long enough for the garbage collector to copy and
   * promote all of it, and kept the other call slot idle. It goes in order, a chunk at a time,
   * each committed once handled.
   */
  chunkSize?: number;
  /**
   * Watches the group's offsets on the broker every `pollMs` (default: a quarter of the stall
   * time, 5 s at most): a partition of this consumer with messages waiting whose commit has not
   * moved for `stallSeconds` is named by `progressProblems`.
   */
  liveness?: { stallSeconds: number; pollMs?: number };
  /** Lag, seconds since progress, and messages isolated, per topic and partition. */
  metrics?: Metrics;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const headerBuffer = (value: unknown): Buffer | undefined => (Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value) : undefined);

/** Own properties whatever the name: assigned, a header named `__proto__` would set the prototype and vanish. */
const headersOf = (headers: Record<string, unknown> | undefined): Record<string, Buffer | Buffer[]> =>
  Object.fromEntries(
    Object.entries(headers ?? {}).flatMap(([name, value]) => {
      const buffers = Array.isArray(value) ? value.map(headerBuffer).filter((b): b is Buffer => b !== undefined) : headerBuffer(value);
      return buffers === undefined ? [] : [[name, buffers]];
    }),
  );

/**
 * A fetched message as handlers see it. Key, headers and timestamp are read only for dead
 * letters, so they are worked out on first read: done for every message, they were a Date, an
 * ISO text, a key text and a headers object a purchase, nearly always thrown away unread.
 */
class FetchedMessage implements ConsumedMessage {
  readonly offset: string;
  readonly value: Buffer | null;
  private keyText?: string | null;
  private headerBuffers?: Record<string, Buffer | Buffer[]>;
  private isoTimestamp?: string;

  constructor(
    readonly topic: string,
    readonly contractTopic: string,
    readonly partition: number,
    private readonly message: KafkaMessage,
  ) {
    this.offset = message.offset;
    this.value = message.value;
  }

  get key(): string | null {
    if (this.keyText === undefined) this.keyText = this.message.key ? this.message.key.toString('utf8') : null;
    return this.keyText;
  }

  get rawHeaders(): Record<string, unknown> | undefined {
    return this.message.headers as Record<string, unknown> | undefined;
  }

  get rawKey(): Buffer | null {
    return this.message.key ?? null;
  }

  get headers(): Record<string, Buffer | Buffer[]> {
    return (this.headerBuffers ??= headersOf(this.message.headers as Record<string, unknown>));
  }

  get timestamp(): string {
    if (this.isoTimestamp === undefined) {
      const date = new Date(Number(this.message.timestamp));
      // A producer may set any int64: one past what a Date holds stays as it came instead of throwing.
      this.isoTimestamp = Number.isNaN(date.getTime()) ? String(this.message.timestamp) : date.toISOString();
    }
    return this.isoTimestamp;
  }
}

/**
 * Consumes batches per partition, in chunks of at most `chunkSize` messages: the handler gets a
 * chunk (joined with other partitions' chunks of the same fetch, see `BatchCoalescer`), and its
 * offset is committed only after the handler returns (without holding up the next fetch, see
 * `OffsetCommitter`), so a crash replays the chunk (the ledger's idempotency makes that harmless).
 * A call that fails on a message is split until that message is alone, which is dead-lettered
 * (`handleIsolatingFailures`); one that fails on infrastructure is retried with backoff while
 * heartbeating. Nothing is skipped without a dead letter and the process does not exit.
 */
export class BatchConsumer {
  private readonly logger = new Logger(BatchConsumer.name);
  private readonly consumer: Consumer;
  private readonly contractNames: Map<string, string>;
  private readonly coalescer: BatchCoalescer<PartitionBatch>;
  private readonly committer: OffsetCommitter;
  private readonly groupId: string;
  private readonly liveness: ConsumerLiveness;
  private readonly monitor?: ProgressMonitor;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.groupId = `${options.namespace}${options.groupId}`;
    this.committer = new OffsetCommitter(
      (offsets) => this.consumer.commitOffsets(offsets),
      (error) => options.onCommitFailed?.(error),
    );
    this.coalescer = new BatchCoalescer(
      (batches) => this.handleTogether(batches),
      (b) => b.messages.length,
      options.coalesce ?? { maxMessages: 2000, maxConcurrent: 2 },
    );
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 2 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    this.contractNames = new Map(options.topics.map((t) => [physicalTopicName(t, options.namespace), t.name]));
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => this.passedOver(payload));
    const stallMs = (options.liveness?.stallSeconds ?? Infinity) * 1000;
    this.liveness = new ConsumerLiveness(stallMs, Date.now(), options.fromBeginning ?? true);
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.liveness.assigned(payload.memberAssignment, Date.now()));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.liveness.crashed(payload.error, payload.restart);
      if (!payload.restart) this.logger.error(`consumer ${this.groupId} crashed and will not restart: ${payload.error.message}`);
    });
    if (options.liveness) {
      this.monitor = new ProgressMonitor(kafka, {
        groupId: this.groupId,
        topics: [...this.contractNames.keys()],
        pollMs: options.liveness.pollMs ?? Math.min(5000, Math.max(250, stallMs / 4)),
        onSample: (offsets, now) => this.report(this.liveness.sampled(offsets, now), now),
        onPollFailed: (error) => this.logger.debug(`reading ${this.groupId}'s offsets failed: ${(error as Error).message}`),
      });
    }
  }

  /** What keeps this consumer from progressing (a crash, partitions stalled with messages waiting); none when it progresses. */
  progressProblems(): string[] {
    return this.liveness.problems(Date.now());
  }

  private report(progress: PartitionProgress[], now: number): void {
    if (!this.options.metrics) return;
    const lag = this.options.metrics.gauge('tally_consumer_lag_messages', "Messages waiting behind the consumer group's committed offset", [
      'topic',
      'partition',
    ]);
    const stalled = this.options.metrics.gauge(
      'tally_consumer_seconds_since_progress',
      'Seconds since the committed offset moved while messages wait (0 when none wait)',
      ['topic', 'partition'],
    );
    for (const p of progress) {
      const labels = { topic: this.contractNames.get(p.topic) ?? p.topic, partition: String(p.partition) };
      lag.set(labels, Number(p.lag));
      stalled.set(labels, secondsSinceProgress(p, now));
    }
  }

  /**
   * A partition batch of only what is never handed over (an aborted transaction's records,
   * transaction markers) does not reach `eachBatch`: kafkajs moves the fetch position past it by
   * itself. Its offset is committed here, after everything before it, or the group would stay
   * behind the end of such a partition for good.
   */
  private passedOver({ topic, partition, batchSize, lastOffset }: { topic: string; partition: number; batchSize: number; lastOffset: string }): void {
    if (batchSize === 0) this.committer.add([{ topic, partition, offset: (BigInt(lastOffset) + 1n).toString() }]);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.contractNames.keys()], fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 16,
      eachBatch: async (payload) => {
        const { batch, resolveOffset } = payload;
        const chunkSize = this.options.chunkSize ?? 1000;
        for (let from = 0; from < batch.messages.length; from += chunkSize) {
          const chunk = batch.messages.slice(from, from + chunkSize);
          // The batch's last offset may lie past its last message (control records): the last chunk covers it.
          const last = from + chunkSize >= batch.messages.length ? batch.lastOffset() : chunk[chunk.length - 1].offset;
          if (!(await this.handleChunk(payload, chunk, last))) return;
          // Its offset is on its way to be committed (handleTogether); resolving moves the fetch position, or the same messages would be fetched again.
          resolveOffset(last);
        }
      },
    });
    this.monitor?.start();
  }

  /**
   * Hands one chunk of a partition's messages over, retrying with backoff (and heartbeats) until it
   * is handled; false when the consumer stopped or lost the partition meanwhile.
   */
  private async handleChunk(payload: EachBatchPayload, chunk: KafkaMessage[], lastOffset: string): Promise<boolean> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const contractTopic = this.contractNames.get(topic) ?? topic;
    const messages: ConsumedMessage[] = chunk.map((m) => new FetchedMessage(topic, contractTopic, partition, m));
    const commit = { topic, partition, offset: (BigInt(lastOffset) + 1n).toString() };
    for (let attempt = 1; ; attempt++) {
      if (!isRunning() || isStale()) return false;
      try {
        await this.coalescer.submit({ messages, commit, heartbeat });
        return true;
      } catch (error) {
        this.options.onRetry?.(error, attempt);
        await heartbeat().catch(() => undefined);
        await sleep(Math.min(30_000, 200 * 2 ** Math.min(attempt, 8)));
      }
    }
  }

  /**
   * One handler call for the partitions' batches (split when a message fails it); their offsets
   * are committed once every message was handled or dead-lettered, in the background.
   */
  private async handleTogether(batches: PartitionBatch[]): Promise<void> {
    const messages = batches.length === 1 ? batches[0].messages : batches.flatMap((b) => b.messages);
    await inSpan(`${this.groupId} process`, batchTrace(messages), () => this.handleAll(messages, batches[0].heartbeat));
    this.committer.add(batches.map((b) => b.commit));
  }

  private async handleAll(messages: ConsumedMessage[], heartbeat: () => Promise<void>): Promise<void> {
    await handleIsolatingFailures(messages, {
      handle: this.options.handle,
      // A service shutting down fails its calls in ways that are no message's fault.
      isInfrastructure: (error) => this.stopping || isInfrastructureError(error),
      deadLetter: (message, error) => this.deadLetterAlone(message, error),
      onSplit: (count, error) => {
        this.options.metrics?.counter('tally_consumer_bisections_total', 'Handler calls that failed on a message and were split in two to find it').inc();
        this.logger.warn(`a call of ${count} messages failed, handling each half alone: ${(error as Error)?.message ?? String(error)}`);
      },
      between: () => heartbeat().catch(() => undefined),
    });
  }

  private async deadLetterAlone(message: ConsumedMessage, error: unknown): Promise<void> {
    await deadLetterAlone(this.options.deadLetter, message, error, this.groupId, new Date());
    this.options.metrics
      ?.counter('tally_consumer_isolated_dead_letters_total', 'Messages dead-lettered because the handler failed on them alone', ['topic'])
      .inc({ topic: message.contractTopic });
    this.logger.error(
      `dead-lettered ${message.contractTopic}/${message.partition}/${message.offset}: the handler fails on it alone: ${(error as Error)?.message ?? String(error)}`,
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.monitor?.stop();
    await this.committer.flushed();
    await this.consumer.disconnect();
  }
}
