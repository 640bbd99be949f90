import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LedgerEventMessage, Topics } from '@tally/contracts';
import { DeadLetterLog, LEDGER_CLOCK } from '@tally/ledger';
import { BatchConsumer, ConsumedMessage, KAFKA_SETTINGS, KafkaSettings, LetterToSend, ProgressReporter, TypedProducer, publishDeadLetters, toDeadLetter } from '@tally/messaging';
import { ConsumerConfig, Metrics } from '@tally/platform';
import { Kafka } from 'kafkajs';
import { AnalyticsReadModel } from '../store/read-model.service';
import { readLedgerMessage } from './ledger-message';

export const ANALYTICS_GROUP_ID = 'tally-analytics';

/**
 * Follows `loyalty.ledger.v1` into the analytics read model. Offsets are committed after the
 * batch's transaction, so a crash repeats the batch, which the members' watermarks make a no-op.
 */
@Injectable()
export class AnalyticsConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ProgressReporter {
  private readonly logger = new Logger(AnalyticsConsumer.name);
  private consumer?: BatchConsumer;

  constructor(
    private readonly kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly producer: TypedProducer,
    private readonly readModel: AnalyticsReadModel,
    private readonly deadLetterLog: DeadLetterLog,
    private readonly metrics: Metrics,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    private readonly config: ConsumerConfig,
  ) {}

  progressProblems(): string[] {
    return this.consumer?.progressProblems() ?? [];
  }

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const events: LedgerEventMessage[] = [];
    const letters: LetterToSend[] = [];
    const group = `${this.settings.namespace}${ANALYTICS_GROUP_ID}`;
    for (const message of messages) {
      const read = readLedgerMessage(message.value);
      if ('problem' in read) letters.push({ letter: toDeadLetter(message, { reason: read.reason, message: read.problem }, group, this.clock()), original: message });
      else events.push(read);
    }
    await this.readModel.apply(events);
    if (letters.length > 0) {
      this.logger.error(`dead-lettering ${letters.length} unreadable ledger message(s)`);
      await this.deadLetter(letters);
    }
  }

  private async deadLetter(letters: LetterToSend[]): Promise<void> {
    await publishDeadLetters(this.producer, this.settings.namespace, letters);
    await this.deadLetterLog.record(letters.map((l) => l.letter));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new BatchConsumer(this.kafka, {
      groupId: ANALYTICS_GROUP_ID,
      topics: [Topics.ledger],
      namespace: this.settings.namespace,
      handle: (messages) => this.handle(messages),
      deadLetter: (item) => this.deadLetter([item]),
      liveness: { stallSeconds: this.config.TALLY_CONSUMER_STALL_SECONDS },
      metrics: this.metrics,
      onRetry: (error, attempt) => this.logger.warn(`analytics batch failed (attempt ${attempt}), retrying: ${(error as Error).message}`),
      onCommitFailed: (error) => this.logger.warn(`analytics offset commit failed (the next one supersedes it): ${(error as Error).message}`),
    });
    await this.consumer.start();
    this.logger.log(`consuming ${Topics.ledger.name} into the analytics read model`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
