import { DynamicModule, Module } from '@nestjs/common';
import { serviceImports, serviceProviders } from '@tally/service-kit';
import { ExpiryConfig } from './config/expiry.config';
import { ExpiryOpsController } from './ops/expiry-ops.controller';
import { EXPIRY_INTERVAL_MS, ExpiryJob } from './sweep/expiry.job';
import { ExpirySweep } from './sweep/expiry.sweep';

export const SERVICE = 'expiry';
export const DEFAULT_PORT = 3004;

/** The expiry service: expires lots and releases pending points on a clock. */
@Module({})
export class AppModule {
  static forRoot(config: ExpiryConfig): DynamicModule {
    const kit = { service: SERVICE, config };
    return {
      module: AppModule,
      imports: serviceImports(kit),
      controllers: [ExpiryOpsController],
      providers: [
        ...serviceProviders(kit),
        { provide: EXPIRY_INTERVAL_MS, useValue: (config.TALLY_EXPIRY_INTERVAL_SECONDS ?? 60) * 1000 },
        ExpirySweep,
        ExpiryJob,
      ],
    };
  }
}
