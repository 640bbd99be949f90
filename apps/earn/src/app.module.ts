import { DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@tally/ledger';
import { MessagingModule } from '@tally/messaging';
import { BaseConfig, PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';
import { loadProgram } from '@tally/program';
import { EARN_PROGRAM, EarnConsumer } from './consume/earn.consumer';

export const SERVICE = 'earn';
export const DEFAULT_PORT = 3001;

/** The earn service: turns purchases, check-ins, referrals and member activities into points. */
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
      providers: [
        postgresHealthCheck(config.DATABASE_URL),
        kafkaHealthCheck(config.kafkaBrokers, `tally-${SERVICE}-health`),
        { provide: EARN_PROGRAM, useFactory: () => loadProgram(config.TALLY_PROGRAM) },
        EarnConsumer,
      ],
    };
  }
}
