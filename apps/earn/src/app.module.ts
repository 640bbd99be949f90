import { DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@tally/ledger';
import { MessagingModule } from '@tally/messaging';
import { PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';
import { loadProgram } from '@tally/program';
import { EARN_GROUP_ID, EARN_PROGRAM, EarnConsumer } from './consume/earn.consumer';
import { EarnConfig } from './earn.config';

export const SERVICE = 'earn';
export const DEFAULT_PORT = 3001;

/** The earn service: turns purchases, check-ins, referrals and member activities into points. */
@Module({})
export class AppModule {
  static forRoot(config: EarnConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE, config }),
        LedgerModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `tally-${SERVICE}`, namespace: config.TALLY_TOPIC_NAMESPACE }),
      ],
      providers: [
        postgresHealthCheck(config.DATABASE_URL),
        kafkaHealthCheck(config.kafkaBrokers, `tally-${SERVICE}-health`),
        { provide: EARN_PROGRAM, useFactory: () => loadProgram(config.TALLY_PROGRAM) },
        { provide: EARN_GROUP_ID, useValue: config.TALLY_EARN_GROUP_ID },
        EarnConsumer,
      ],
    };
  }
}
