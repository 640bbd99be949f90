import { DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@tally/ledger';
import { MessagingModule } from '@tally/messaging';
import { PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';
import { loadProgram } from '@tally/program';
import { ExpiryConfig } from './config/expiry.config';
import { ExpiryOpsController } from './ops/expiry-ops.controller';
import { EXPIRY_INTERVAL_MS, ExpiryJob } from './sweep/expiry.job';
import { ExpirySweep } from './sweep/expiry.sweep';
import { EXPIRY_PROGRAM } from './sweep/expiry.tokens';

export const SERVICE = 'expiry';
export const DEFAULT_PORT = 3004;

/** The expiry service: expires lots and releases pending points on a clock. */
@Module({})
export class AppModule {
  static forRoot(config: ExpiryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE, config }),
        LedgerModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `tally-${SERVICE}`, namespace: config.TALLY_TOPIC_NAMESPACE }),
      ],
      controllers: [ExpiryOpsController],
      providers: [
        postgresHealthCheck(config.DATABASE_URL),
        kafkaHealthCheck(config.kafkaBrokers, `tally-${SERVICE}-health`),
        { provide: EXPIRY_PROGRAM, useFactory: () => loadProgram(config.TALLY_PROGRAM) },
        { provide: EXPIRY_INTERVAL_MS, useValue: (config.TALLY_EXPIRY_INTERVAL_SECONDS ?? 60) * 1000 },
        ExpirySweep,
        ExpiryJob,
      ],
    };
  }
}
