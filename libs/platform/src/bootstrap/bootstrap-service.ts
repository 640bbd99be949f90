import { AddressInfo } from 'node:net';
import { DynamicModule, INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { BaseConfig } from '../config/base.config';
import { ConfigError, Env, loadConfig } from '../config/config.loader';
import { AppError } from '../http/app.error';
import { MAX_PARAM_LENGTH, answerExpectationFailed, answerParserRefusal, answerRouterRefusal, refuseWhileClosing } from '../http/framework-errors';
import { jsonNestingExceeds } from '../http/json-depth';
import { applyRouteBodyConfig } from '../http/route-body';
import { createStartupLogger, requestIdFor } from '../logging/logging.options';
import { registerHttpMetrics } from '../metrics/http-metrics.hook';
import { Metrics } from '../metrics/metrics.service';
import { registerHttpTracing } from '../tracing/http-tracing';
import { startTracing } from '../tracing/tracing';
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

/** Request bodies are a few hundred bytes; anything near this is a mistake or an attack (413). */
const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Request bodies nest a few levels; class-transformer and class-validator recurse over a body, and
 * one nested thousands deep would overflow their stack (a 500) instead of being refused.
 */
export const MAX_JSON_DEPTH = 32;

const tooDeep = (): AppError =>
  new AppError({
    status: 400,
    error: 'invalid_request',
    message: `invalid request: the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    fields: [{ field: '(body)', problems: [`nested deeper than ${MAX_JSON_DEPTH} levels`] }],
  });

/** Bodies a route reads itself as they stream in (bulk imports): handed over unread, past the body limit. */
export const STREAMED_BODY_TYPES = ['text/csv', 'application/x-ndjson'];

/**
 * Fastify under Nest: its router, body parser and reply path cost a fraction of Express's per
 * request, which decides what one redeem process answers per second.
 */
export const createHttpAdapter = (): FastifyAdapter => {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify names each request before any middleware runs; the logger then takes that id.
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What Node and the router refuse before Nest's exception filter could see it answers in the API's shape too.
    frameworkErrors: answerRouterRefusal,
    clientErrorHandler: answerParserRefusal,
    return503OnClosing: false,
  });
  const fastify = adapter.getInstance();
  registerHttpTracing(fastify);
  fastify.server.on('checkExpectation', answerExpectationFailed);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  refuseWhileClosing(fastify);
  applyRouteBodyConfig(fastify);
  // Fastify's own parser (it refuses __proto__ and constructor keys), except that an empty JSON
  // body is no body: `POST /holds/{id}/release` carries none, and clients still send the header.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, {});
    else if (jsonNestingExceeds(body as string, MAX_JSON_DEPTH)) done(tooDeep(), undefined);
    else parseJson(request, body as string, done);
  });
  // Any other body counts as none too, so the fields it lacks are named (400 invalid_request, as
  // DESIGN.md has it for an invalid body) instead of a bare 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser(STREAMED_BODY_TYPES, (_request, payload, done) => done(null, payload));
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, {}));
  return adapter;
};

/** With the adapter above: Nest must not put its own JSON parser over the one the adapter brings. */
export const HTTP_APP_OPTIONS = { bodyParser: false } as const;

/** Builds the app exactly as it runs in production, without listening: tests call this too. */
export const createServiceApp = async <C extends BaseConfig>(definition: ServiceDefinition<C>): Promise<ServiceApp<C>> => {
  const schema = definition.config ?? (BaseConfig as new () => C);
  const env = definition.env ?? process.env;
  const config = loadConfig(schema, env, { PORT: String(definition.defaultPort) });
  startTracing(definition.service, env);
  const app = await NestFactory.create<NestFastifyApplication>(definition.module(config), createHttpAdapter(), {
    ...HTTP_APP_OPTIONS,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  registerHttpMetrics(app.getHttpAdapter().getInstance(), app.get(Metrics));
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
    // Fastify listens on localhost unless told otherwise; a service in a container must answer outside it.
    await app.listen(config.PORT, '0.0.0.0');
    app.get(Logger).log(`${definition.service} listening on ${listeningUrl(app)} (docs at /docs)`, 'Bootstrap');
    return app;
  } catch (error) {
    reportStartupFailure(definition.service, error);
    process.exitCode = 1;
    return undefined;
  }
};
