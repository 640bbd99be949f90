import { DynamicModule, Module } from '@nestjs/common';
import { LedgerModule } from '@tally/ledger';
import { MessagingModule } from '@tally/messaging';
import { PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';
import { loadProgram } from '@tally/program';
import { TierConfig } from './config/tier.config';
import { TierConsumer } from './consume/tier.consumer';
import { DailyEvaluationJob, TIER_JOB_SETTINGS, TierJobSettings } from './daily/daily-evaluation.job';
import { TierOpsController } from './ops/tier-ops.controller';
import { TierService } from './tiers/tier.service';
import { TIER_PROGRAM } from './tiers/tier.tokens';

export const SERVICE = 'tier';
export const DEFAULT_PORT = 3003;

/** The tier service: keeps member tiers from the ledger stream and a daily evaluation. */
@Module({})
export class AppModule {
  static forRoot(config: TierConfig): DynamicModule {
    const jobSettings: TierJobSettings = {
      enabled: config.TALLY_TIER_DAILY_EVALUATION !== 'off',
      hour: config.TALLY_TIER_EVALUATION_HOUR ?? 2,
    };
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: SERVICE, config }),
        LedgerModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `tally-${SERVICE}`, namespace: config.TALLY_TOPIC_NAMESPACE }),
      ],
      controllers: [TierOpsController],
      providers: [
        postgresHealthCheck(config.DATABASE_URL),
        kafkaHealthCheck(config.kafkaBrokers, `tally-${SERVICE}-health`),
        { provide: TIER_PROGRAM, useFactory: () => loadProgram(config.TALLY_PROGRAM) },
        { provide: TIER_JOB_SETTINGS, useValue: jobSettings },
        TierService,
        TierConsumer,
        DailyEvaluationJob,
      ],
    };
  }
}
