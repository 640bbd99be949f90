import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { DeadLetterLog, LEDGER_CLOCK } from '@tally/ledger';
import { BatchConsumer, ConsumedMessage, KAFKA_SETTINGS, KafkaSettings, LetterToSend, ProgressReporter, TypedProducer, publishDeadLetters, toDeadLetter } from '@tally/messaging';
import { Metrics } from '@tally/platform';
import { Kafka } from 'kafkajs';
import { TierConfig } from '../config/tier.config';
import { TierService } from '../tiers/tier.service';
import { TIER_GROUP_ID } from '../tiers/tier.tokens';
import { readLedgerBatch } from './ledger-batch';

/**
 * Follows `loyalty.ledger.v1`: members whose qualifying points moved get an upgrade check (one
 * ledger transaction per batch), and every tier change is announced on `loyalty.notifications.v1`.
 * Offsets are committed only after both, so a crash repeats the batch: the upgrade commands are
 * idempotent, the notices are at least once.
 */
@Injectable()
export class TierConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ProgressReporter {
  private readonly logger = new Logger(TierConsumer.name);
  private consumer?: BatchConsumer;

  constructor(
    private readonly kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly producer: TypedProducer,
    private readonly tiers: TierService,
    private readonly deadLetterLog: DeadLetterLog,
    private readonly metrics: Metrics,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    private readonly config: TierConfig,
  ) {}

  progressProblems(): string[] {
    return this.consumer?.progressProblems() ?? [];
  }

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const batch = readLedgerBatch(messages);
    const now = this.clock();
    await this.tiers.upgrade(batch.triggers, now.toISOString());
    await this.producer.send(
      Topics.notifications,
      batch.notices.map((notice) => ({ key: notice.memberId, value: notice })),
    );
    this.metrics.counter('tally_tier_notices_total', 'tier.changed notices published').inc(batch.notices.length);
    if (batch.unreadable.length > 0) {
      const group = `${this.settings.namespace}${TIER_GROUP_ID}`;
      const letters = batch.unreadable.map(({ message, reason, problem }) => ({
        letter: toDeadLetter(message, { reason, message: problem }, group, now),
        original: message,
      }));
      this.logger.error(`dead-lettering ${letters.length} unreadable ledger message(s)`);
      await this.deadLetter(letters);
    }
  }

  /** To the dead-letter topic, then kept for ops. */
  private async deadLetter(letters: LetterToSend[]): Promise<void> {
    await publishDeadLetters(this.producer, this.settings.namespace, letters);
    await this.deadLetterLog.record(letters.map((l) => l.letter));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = new BatchConsumer(this.kafka, {
      groupId: TIER_GROUP_ID,
      topics: [Topics.ledger],
      namespace: this.settings.namespace,
      handle: (messages) => this.handle(messages),
      deadLetter: (item) => this.deadLetter([item]),
      liveness: { stallSeconds: this.config.TALLY_CONSUMER_STALL_SECONDS },
      metrics: this.metrics,
      onRetry: (error, attempt) => this.logger.warn(`tier batch failed (attempt ${attempt}), retrying: ${(error as Error).message}`),
      onCommitFailed: (error) => this.logger.warn(`tier offset commit failed (the next one supersedes it): ${(error as Error).message}`),
    });
    await this.consumer.start();
    this.logger.log(`consuming ${Topics.ledger.name}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
