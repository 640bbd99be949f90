import { AddressInfo } from 'node:net';
import { DynamicModule, INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { BaseConfig } from '../config/base.config';
import { ConfigError, Env, loadConfig } from '../config/config.loader';
import { createStartupLogger } from '../logging/logging.options';
import { setUpOpenApi } from './openapi';

export interface ServiceDefinition<C extends BaseConfig = BaseConfig> {
  service: string;
  defaultPort: number;
  /** The app's root module, built from its loaded config (which it hands to `PlatformModule.forRoot`). */
  module: (config: C) => DynamicModule | Type<unknown>;
  /** The service's config class, `BaseConfig` or a subclass; defaults to `BaseConfig`. */
  config?: new () => C;
  /** Where variables come from; tests pass their own. */
  env?: Env;
}

export interface ServiceApp<C extends BaseConfig> {
  app: INestApplication;
  config: C;
}

/** Builds the app exactly as it runs in production, without listening: tests call this too. */
export const createServiceApp = async <C extends BaseConfig>(definition: ServiceDefinition<C>): Promise<ServiceApp<C>> => {
  const schema = definition.config ?? (BaseConfig as new () => C);
  const config = loadConfig(schema, definition.env ?? process.env, { PORT: String(definition.defaultPort) });
  const app = await NestFactory.create(definition.module(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  (app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void }).disable?.('x-powered-by');
  app.enableShutdownHooks();
  setUpOpenApi(app, definition.service);
  return { app, config };
};

export const listeningUrl = (app: INestApplication): string => {
  const address = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
};

const reportStartupFailure = (service: string, error: unknown): void => {
  NestLogger.flush();
  const logger = createStartupLogger(service);
  if (error instanceof ConfigError) logger.fatal({ problems: error.problems }, error.message);
  else logger.fatal({ err: error }, `${service} failed to start`);
};

/**
 * Starts a service: validated config, the Nest app, shutdown hooks (SIGTERM/SIGINT close it
 * cleanly), OpenAPI at /docs, listening on PORT. A failure to start is logged and exits with 1.
 */
export const bootstrapService = async <C extends BaseConfig>(definition: ServiceDefinition<C>): Promise<INestApplication | undefined> => {
  try {
    const { app, config } = await createServiceApp(definition);
    await app.listen(config.PORT);
    app.get(Logger).log(`${definition.service} listening on ${listeningUrl(app)} (docs at /docs)`, 'Bootstrap');
    return app;
  } catch (error) {
    reportStartupFailure(definition.service, error);
    process.exitCode = 1;
    return undefined;
  }
};
