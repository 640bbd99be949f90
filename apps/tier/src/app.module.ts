import { DynamicModule, Module } from '@nestjs/common';
import { consumerHealthCheck } from '@tally/messaging';
import { serviceImports, serviceProviders } from '@tally/service-kit';
import { TierConfig } from './config/tier.config';
import { TierConsumer } from './consume/tier.consumer';
import { DailyEvaluationJob, TIER_JOB_SETTINGS, TierJobSettings } from './daily/daily-evaluation.job';
import { TierOpsController } from './ops/tier-ops.controller';
import { TierService } from './tiers/tier.service';

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
    const kit = { service: SERVICE, config };
    return {
      module: AppModule,
      imports: serviceImports(kit),
      controllers: [TierOpsController],
      providers: [
        ...serviceProviders(kit),
        { provide: TIER_JOB_SETTINGS, useValue: jobSettings },
        TierService,
        TierConsumer,
        consumerHealthCheck(TierConsumer),
        DailyEvaluationJob,
      ],
    };
  }
}
