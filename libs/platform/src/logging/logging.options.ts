import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Params } from 'nestjs-pino';
import pino, { DestinationStream, LoggerOptions } from 'pino';
import { LogLevel } from '../config/base.config';
import { activeTraceIds } from '../tracing/tracing';
import { requestTraceIds } from '../tracing/http-tracing';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes hit these every few seconds; logging each would drown real traffic. */
const QUIET_PATHS = ['/health', '/health/live', '/metrics'];

const pathOf = (request: IncomingMessage & { originalUrl?: string }): string => (request.originalUrl ?? request.url ?? '').split('?')[0] ?? '';

/** Keeps a caller's `X-Request-Id` when it is sane, so one id follows a request across services. */
export const requestIdFor = (request: IncomingMessage): string => {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
};

/** Shared by the HTTP logger and the logger used before Nest exists (startup failures). */
export const baseLoggerOptions = (service: string, level: LogLevel): LoggerOptions => ({
  level,
  base: { service, pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  // A line written inside a traced request or batch carries its trace (and span) id.
  mixin: () => activeTraceIds() ?? {},
});

export const loggingParams = (service: string, level: LogLevel, destination?: DestinationStream): Params => ({
  pinoHttp: {
    ...(destination ? { stream: destination } : {}),
    ...baseLoggerOptions(service, level),
    // No genReqId: Fastify names every request first (`createHttpAdapter`), and the logger takes `req.id`.
    customAttributeKeys: { reqId: 'requestId' },
    // Logs written while handling a request carry only its id, not the whole request again.
    quietReqLogger: true,
    // The request's trace id on every line of its logger, including the completion line written after its span's context is gone.
    customProps: (request) => requestTraceIds(request) ?? {},
    // Under Nest's middleware mount, `url` is relative to the mount (`/` for every path); `originalUrl` is the path asked for.
    autoLogging: { ignore: (request) => QUIET_PATHS.includes(pathOf(request)) },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    // Headers are left out entirely: they carry bearer tokens.
    serializers: {
      req: (request: { id?: unknown; method?: string; url?: string }) => ({ id: request.id, method: request.method, url: request.url }),
      res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
    },
  },
});

/** A logger for before the Nest app exists, same shape as the app's logs. */
export const createStartupLogger = (service: string, level: LogLevel = 'info') => pino(baseLoggerOptions(service, level));
