import { DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@tally/ledger';
import { MessagingModule } from '@tally/messaging';
import { BaseConfig, PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';
import { MembersController } from './members/members.controller';
import { OpsController } from './ops/ops.controller';
import { OutboxRelayService } from './relay/outbox-relay.service';

export const SERVICE = 'ledger';
export const DEFAULT_PORT = 3000;

/** The ledger service: HTTP read and ops API over the ledger; relays ledger events to Kafka. */
@Module({})
export class AppModule {
  static forRoot(config: BaseConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE, config }),
        LedgerModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `tally-${SERVICE}`, namespace: config.TALLY_TOPIC_NAMESPACE }),
      ],
      controllers: [MembersController, OpsController],
      providers: [
        postgresHealthCheck(config.DATABASE_URL),
        kafkaHealthCheck(config.kafkaBrokers, `tally-${SERVICE}-health`),
        OutboxRelayService,
      ],
    };
  }
}
