import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LedgerEventMessage, Topics } from '@tally/contracts';
import { DeadLetterLog, LEDGER_CLOCK } from '@tally/ledger';
import { KAFKA_SETTINGS, KafkaSettings, ProgressReporter, TypedProducer } from '@tally/messaging';
import { Metrics, crashPoint } from '@tally/platform';
import { LedgerFollower } from '@tally/service-kit';
import { Kafka } from 'kafkajs';
import { TierConfig } from '../config/tier.config';
import { TierService } from '../tiers/tier.service';
import { TIER_GROUP_ID } from '../tiers/tier.tokens';
import { tierWork } from './tier-work';

/**
 * Follows `loyalty.ledger.v1`: members whose qualifying points moved get an upgrade check (one
 * ledger transaction per batch), and every tier change is announced on `loyalty.notifications.v1`.
 * Offsets are committed only after both, so a crash repeats the batch: the upgrade commands are
 * idempotent, the notices are at least once.
 */
@Injectable()
export class TierConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ProgressReporter {
  readonly follower: LedgerFollower;

  constructor(
    kafka: Kafka,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    private readonly producer: TypedProducer,
    private readonly tiers: TierService,
    deadLetterLog: DeadLetterLog,
    private readonly metrics: Metrics,
    @Inject(LEDGER_CLOCK) clock: () => Date,
    config: TierConfig,
  ) {
    this.follower = new LedgerFollower(
      { kafka, settings, producer, deadLetterLog, metrics, clock },
      { groupId: TIER_GROUP_ID, name: 'tier', stallSeconds: config.TALLY_CONSUMER_STALL_SECONDS, handle: (events, now) => this.handle(events, now) },
    );
  }

  progressProblems(): string[] {
    return this.follower.progressProblems();
  }

  private async handle(events: LedgerEventMessage[], now: Date): Promise<void> {
    const work = tierWork(events);
    await this.tiers.upgrade(work.triggers, now.toISOString());
    if (work.triggers.length > 0 || work.notices.length > 0) crashPoint('tier.after-append');
    await this.producer.send(
      Topics.notifications,
      work.notices.map((notice) => ({ key: notice.memberId, value: notice })),
    );
    this.metrics.counter('tally_tier_notices_total', 'tier.changed notices published').inc(work.notices.length);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.follower.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.follower.stop();
  }
}
