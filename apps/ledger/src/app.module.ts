import { DynamicModule, Module } from '@nestjs/common';
import { serviceImports, serviceProviders } from '@tally/service-kit';
import { ConsumerConfig } from '@tally/platform';
import { consumerHealthCheck } from '@tally/messaging';
import { AnalyticsConsumer } from './analytics/consume/analytics.consumer';
import { AnalyticsController, AnalyticsOpsController } from './analytics/http/analytics.controller';
import { LeaderboardsController } from './analytics/http/leaderboards.controller';
import { AnalyticsQueries } from './analytics/read/analytics.queries';
import { LeaderboardQueries } from './analytics/read/leaderboard.queries';
import { AnalyticsReadModel } from './analytics/store/read-model.service';
import { ConsoleAssets } from './console/console.assets';
import { FlagsController } from './flags/flags.controller';
import { AsyncApiController } from './asyncapi/asyncapi.controller';
import { AdjustmentsController } from './adjustments/adjustments.controller';
import { AdjustmentsService } from './adjustments/adjustments.service';
import { ExportsController } from './exports/exports.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsRunner } from './jobs/jobs.runner';
import { ImportsController } from './imports/imports.controller';
import { LagController } from './lag/lag.controller';
import { LagService } from './lag/lag.service';
import { ImportRetention } from './imports/import-retention';
import { ImportsService } from './imports/imports.service';
import { IMPORT_RETENTION_DAYS, importRetentionDays } from './ledger.config';
import { LedgerGauges } from './metrics/ledger.gauges';
import { MembersController } from './members/members.controller';
import { OpsController } from './ops/ops.controller';
import { OutboxRelayService } from './relay/outbox-relay.service';

export const SERVICE = 'ledger';
export const DEFAULT_PORT = 3000;

/**
 * The ledger service: HTTP read and ops API over the ledger; relays ledger events to Kafka; keeps
 * the analytics read model and leaderboards from `loyalty.ledger.v1` and serves the console.
 */
@Module({})
export class AppModule {
  static forRoot(config: ConsumerConfig): DynamicModule {
    const kit = { service: SERVICE, config };
    return {
      module: AppModule,
      imports: serviceImports(kit),
      controllers: [
        MembersController,
        OpsController,
        FlagsController,
        AnalyticsController,
        AnalyticsOpsController,
        LeaderboardsController,
        AsyncApiController,
        AdjustmentsController,
        ExportsController,
        JobsController,
        ImportsController,
        LagController,
      ],
      providers: [
        ...serviceProviders(kit),
        // The analytics consumer asks for the consuming services' config, which the ledger's own extends.
        { provide: ConsumerConfig, useValue: config },
        { provide: IMPORT_RETENTION_DAYS, useValue: importRetentionDays(config) },
        ImportRetention,
        OutboxRelayService,
        AnalyticsReadModel,
        AnalyticsQueries,
        LeaderboardQueries,
        AnalyticsConsumer,
        ConsoleAssets,
        consumerHealthCheck(AnalyticsConsumer),
        AdjustmentsService,
        JobsRunner,
        ImportsService,
        LagService,
        LedgerGauges,
      ],
    };
  }
}
