import { DynamicModule, Module } from '@nestjs/common';
import { serviceImports, serviceProviders } from '@tally/service-kit';
import { BaseConfig } from '@tally/platform';
import { AdjustmentsController } from './adjustments/adjustments.controller';
import { AdjustmentsService } from './adjustments/adjustments.service';
import { ExportsController } from './exports/exports.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsRunner } from './jobs/jobs.runner';
import { LedgerGauges } from './metrics/ledger.gauges';
import { MembersController } from './members/members.controller';
import { OpsController } from './ops/ops.controller';
import { OutboxRelayService } from './relay/outbox-relay.service';

export const SERVICE = 'ledger';
export const DEFAULT_PORT = 3000;

/** The ledger service: HTTP read and ops API over the ledger; relays ledger events to Kafka. */
@Module({})
export class AppModule {
  static forRoot(config: BaseConfig): DynamicModule {
    const kit = { service: SERVICE, config };
    return {
      module: AppModule,
      imports: serviceImports(kit),
      controllers: [MembersController, OpsController, AdjustmentsController, ExportsController, JobsController],
      providers: [
        ...serviceProviders(kit),
        OutboxRelayService,
        AdjustmentsService,
        JobsRunner,
        LedgerGauges,
      ],
    };
  }
}
