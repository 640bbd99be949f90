import { DynamicModule, Module } from '@nestjs/common';
import { consumerHealthCheck } from '@tally/messaging';
import { serviceImports, serviceProviders } from '@tally/service-kit';
import { EARN_GROUP_ID, EarnConsumer } from './consume/earn.consumer';
import { EarnConfig } from './earn.config';
import { IngestController } from './ingest/ingest.controller';
import { IngestService } from './ingest/ingest.service';

export const SERVICE = 'earn';
export const DEFAULT_PORT = 3001;

/** The earn service: turns purchases, check-ins, referrals and member activities into points. */
@Module({})
export class AppModule {
  static forRoot(config: EarnConfig): DynamicModule {
    const kit = { service: SERVICE, config };
    return {
      module: AppModule,
      imports: serviceImports(kit),
      controllers: [IngestController],
      providers: [
        ...serviceProviders(kit),
        { provide: EARN_GROUP_ID, useValue: config.TALLY_EARN_GROUP_ID },
        EarnConsumer,
        IngestService,
        consumerHealthCheck(EarnConsumer),
      ],
    };
  }
}
