import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { INPUT_TOPICS } from '@tally/contracts';
import { Program } from '@tally/program';
import { PROGRAM } from '@tally/service-kit';
import { DeadLetterLog, LEDGER_CLOCK, LedgerStore, ParkedInputs, StoreFlags } from '@tally/ledger';
import { BatchConsumer, KAFKA_SETTINGS, KafkaSettings, ProgressReporter, TypedProducer } from '@tally/messaging';
import { Metrics, randomId } from '@tally/platform';
import { Kafka } from 'kafkajs';
import { EarnConfig } from '../earn.config';
import { EarnBatchHandler } from './earn-batch.handler';

export const EARN_GROUP_ID = Symbol('EARN_GROUP_ID');

/** One consumer group over the four input topics, each batch appended in one ledger transaction. */
@Injectable()
export class EarnConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ProgressReporter {
  private readonly logger = new Logger(EarnConsumer.name);
  private consumer?: BatchConsumer;

  constructor(
    private readonly kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly producer: TypedProducer,
    private readonly store: LedgerStore,
    private readonly deadLetterLog: DeadLetterLog,
    private readonly parked: ParkedInputs,
    private readonly storeFlags: StoreFlags,
    private readonly metrics: Metrics,
    @Inject(PROGRAM) private readonly program: Program,
    @Inject(LEDGER_CLOCK) private readonly clock: () => Date,
    @Inject(EARN_GROUP_ID) private readonly groupId: string,
    private readonly config: EarnConfig,
  ) {}

  progressProblems(): string[] {
    return this.consumer?.progressProblems() ?? [];
  }

  async onApplicationBootstrap(): Promise<void> {
    const consumed = this.metrics.counter('tally_earn_inputs_total', 'Input events handled by outcome', ['outcome']);
    const batchSizes = this.metrics.histogram(
      'tally_earn_batch_messages',
      'Messages per consumed batch (one ledger transaction each)',
      [],
      [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    );
    const batchSeconds = this.metrics.histogram('tally_earn_batch_seconds', 'Time to handle one consumed batch, ledger append included');
    const flags = this.metrics.counter('tally_abuse_flags_total', 'Members and stores flagged by abuse rules, by rule', ['rule']);
    const handler = new EarnBatchHandler({
      store: this.store,
      deadLetterLog: this.deadLetterLog,
      parked: this.parked,
      producer: this.producer,
      namespace: this.settings.namespace,
      consumerGroup: `${this.settings.namespace}${this.groupId}`,
      clock: this.clock,
      context: () => ({ program: this.program, now: this.clock(), newLotId: randomId }),
      onOutcome: (outcome, count) => consumed.inc({ outcome }, count),
      onFlag: (rule) => flags.inc({ rule }),
      storeFlags: this.storeFlags,
    });
    this.consumer = new BatchConsumer(this.kafka, {
      groupId: this.groupId,
      topics: INPUT_TOPICS,
      namespace: this.settings.namespace,
      handle: async (messages) => {
        const done = batchSeconds.startTimer();
        await handler.handle(messages);
        done();
        batchSizes.observe(messages.length);
      },
      deadLetter: (item) => handler.deadLetter([item]),
      liveness: { stallSeconds: this.config.TALLY_CONSUMER_STALL_SECONDS },
      metrics: this.metrics,
      onRetry: (error, attempt) => this.logger.warn(`earn batch failed (attempt ${attempt}), retrying: ${(error as Error).message}`),
      onCommitFailed: (error) => this.logger.warn(`earn offset commit failed (the next one supersedes it): ${(error as Error).message}`),
    });
    await this.consumer.start();
    this.logger.log(`consuming ${INPUT_TOPICS.map((t) => t.name).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
