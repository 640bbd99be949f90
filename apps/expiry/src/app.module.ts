import { DynamicModule, Module } from '@nestjs/common';
import { BaseConfig, PlatformModule, kafkaHealthCheck, postgresHealthCheck } from '@tally/platform';

export const SERVICE = 'expiry';
export const DEFAULT_PORT = 3004;

/** The expiry service: expires lots and releases pending points on a clock. */
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
