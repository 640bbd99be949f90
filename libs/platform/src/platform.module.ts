import { BeforeApplicationShutdown, DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { API_TOKENS, ApiAuthGuard } from './auth/auth.guard';
import { BaseConfig } from './config/base.config';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { createValidationPipe } from './http/validation.pipe';
import { loggingParams } from './logging/logging.options';
import { MetricsController } from './metrics/metrics.controller';
import { Metrics } from './metrics/metrics.service';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

export interface PlatformOptions<C extends BaseConfig = BaseConfig> {
  /** `ledger`, `earn`...: labels logs and metrics. */
  service: string;
  /** The loaded configuration; injectable as `BaseConfig` and as its own class. */
  config: C;
  /** Where the logs go (stdout unless given; tests read them). */
  logDestination?: DestinationStream;
}

/** The config is injectable as `BaseConfig` and as the service's own subclass. */
const configTokens = (config: BaseConfig): (new () => BaseConfig)[] => {
  const own = config.constructor as new () => BaseConfig;
  return own === BaseConfig ? [BaseConfig] : [BaseConfig, own];
};

/**
 * Everything a Tally service shares: config, JSON logs, metrics, health, the error format,
 * request validation and bearer-token auth (global: routes need a token unless `@Public()`).
 */
@Module({})
export class PlatformModule implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  static forRoot<C extends BaseConfig>({ service, config, logDestination }: PlatformOptions<C>): DynamicModule {
    const configs = configTokens(config);
    return {
      module: PlatformModule,
      global: true,
      imports: [LoggerModule.forRoot(loggingParams(service, config.LOG_LEVEL, logDestination)), DiscoveryModule],
      controllers: [HealthController, MetricsController],
      providers: [
        ...configs.map((token): Provider => ({ provide: token, useValue: config })),
        { provide: SERVICE_NAME, useValue: service },
        { provide: API_TOKENS, useValue: config.apiTokens },
        { provide: Metrics, useFactory: () => new Metrics({ service }) },
        HealthService,
        { provide: APP_GUARD, useClass: ApiAuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [...configs, SERVICE_NAME, API_TOKENS, Metrics, HealthService],
    };
  }

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(signal ? `${signal} received: closing` : 'closing');
  }
}
