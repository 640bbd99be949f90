import { DynamicModule, Module } from '@nestjs/common';
import { BaseConfig, PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';

export const SERVICE = 'redeem';
export const DEFAULT_PORT = 3002;

/** The redeem service: redemptions and holds over HTTP. */
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
