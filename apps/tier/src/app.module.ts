import { DynamicModule, Module } from '@nestjs/common';
import { BaseConfig, PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';

export const SERVICE = 'tier';
export const DEFAULT_PORT = 3003;

/** The tier service: keeps member tiers from the ledger stream and a daily evaluation. */
@Module({})
export class AppModule {
  static forRoot(config: BaseConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ service: SERVICE, config })],
      providers: [postgresHealthCheck(config.DATABASE_URL), kafkaHealthCheck(config.kafkaBrokers, `tally-${SERVICE}-health`)],
    };
  }
}
