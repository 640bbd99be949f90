import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeadLetterLog, LEDGER_CLOCK } from '@tally/ledger';
import { KAFKA_SETTINGS, KafkaSettings, ProgressReporter, TypedProducer } from '@tally/messaging';
import { ConsumerConfig, Metrics } from '@tally/platform';
import { LedgerFollower } from '@tally/service-kit';
import { Kafka } from 'kafkajs';
import { AnalyticsReadModel } from '../store/read-model.service';

export const ANALYTICS_GROUP_ID = 'tally-analytics';

/** Follows `loyalty.ledger.v1` into the analytics read model, which the members' watermarks make idempotent. */
@Injectable()
export class AnalyticsConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ProgressReporter {
  readonly follower: LedgerFollower;

  constructor(
    kafka: Kafka,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    producer: TypedProducer,
    readModel: AnalyticsReadModel,
    deadLetterLog: DeadLetterLog,
    metrics: Metrics,
    @Inject(LEDGER_CLOCK) clock: () => Date,
    config: ConsumerConfig,
  ) {
    this.follower = new LedgerFollower(
      { kafka, settings, producer, deadLetterLog, metrics, clock },
      {
        groupId: ANALYTICS_GROUP_ID,
        name: 'analytics',
        stallSeconds: config.TALLY_CONSUMER_STALL_SECONDS,
        handle: async (events) => {
          await readModel.apply(events);
        },
      },
    );
  }

  progressProblems(): string[] {
    return this.follower.progressProblems();
  }

  onApplicationBootstrap(): Promise<void> {
    return this.follower.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.follower.stop();
  }
}
