import { Logger } from '@nestjs/common';
import { LedgerEventMessage, Topics, readLedgerMessage } from '@tally/contracts';
import { DeadLetterLog } from '@tally/ledger';
import {
  BatchConsumer,
  ConsumedMessage,
  KafkaSettings,
  LetterToSend,
  ProgressReporter,
  TypedProducer,
  publishDeadLetters,
  toDeadLetter,
} from '@tally/messaging';
import { Metrics } from '@tally/platform';
import { Kafka } from 'kafkajs';

/** What a service that follows `loyalty.ledger.v1` gives its follower. */
export interface LedgerFollowerOptions {
  /** The consumer group (the namespace is put before it). */
  groupId: string;
  /** Names the follower in logs: "tier", "analytics". */
  name: string;
  stallSeconds: number;
  /** The batch's readable events, in order; the batch is committed once this resolves. */
  handle: (events: LedgerEventMessage[], now: Date) => Promise<void>;
}

export interface LedgerFollowerDeps {
  kafka: Kafka;
  settings: KafkaSettings;
  producer: TypedProducer;
  deadLetterLog: DeadLetterLog;
  metrics: Metrics;
  clock: () => Date;
}

/**
 * A consumer group over `loyalty.ledger.v1`: each batch's readable events go to the service's
 * handler, and a message that is not a ledger event becomes a dead letter (published, then kept for
 * ops) after them. Offsets are committed after both, so a crash repeats the batch: handlers are
 * idempotent by (memberId, version).
 */
export class LedgerFollower implements ProgressReporter {
  private readonly logger: Logger;
  private consumer?: BatchConsumer;

  constructor(
    private readonly deps: LedgerFollowerDeps,
    private readonly options: LedgerFollowerOptions,
  ) {
    this.logger = new Logger(`LedgerFollower(${options.name})`);
  }

  progressProblems(): string[] {
    return this.consumer?.progressProblems() ?? [];
  }

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const now = this.deps.clock();
    const group = `${this.deps.settings.namespace}${this.options.groupId}`;
    const events: LedgerEventMessage[] = [];
    const letters: LetterToSend[] = [];
    for (const message of messages) {
      const read = readLedgerMessage(message.value);
      if ('problem' in read) letters.push({ letter: toDeadLetter(message, { reason: read.reason, message: read.problem }, group, now), original: message });
      else events.push(read);
    }
    await this.options.handle(events, now);
    if (letters.length > 0) {
      this.logger.error(`dead-lettering ${letters.length} unreadable ledger message(s)`);
      await this.deadLetter(letters);
    }
  }

  private async deadLetter(letters: LetterToSend[]): Promise<void> {
    await publishDeadLetters(this.deps.producer, this.deps.settings.namespace, letters);
    await this.deps.deadLetterLog.record(letters.map((l) => l.letter));
  }

  async start(): Promise<void> {
    const { name } = this.options;
    this.consumer = new BatchConsumer(this.deps.kafka, {
      groupId: this.options.groupId,
      topics: [Topics.ledger],
      namespace: this.deps.settings.namespace,
      handle: (messages) => this.handle(messages),
      deadLetter: (item) => this.deadLetter([item]),
      liveness: { stallSeconds: this.options.stallSeconds },
      metrics: this.deps.metrics,
      onRetry: (error, attempt) => this.logger.warn(`${name} batch failed (attempt ${attempt}), retrying: ${(error as Error).message}`),
      onCommitFailed: (error) => this.logger.warn(`${name} offset commit failed (the next one supersedes it): ${(error as Error).message}`),
    });
    await this.consumer.start();
    this.logger.log(`consuming ${Topics.ledger.name}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
