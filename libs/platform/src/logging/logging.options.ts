import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Params } from 'nestjs-pino';
import pino, { LoggerOptions } from 'pino';
import { LogLevel } from '../config/base.config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes hit these every few seconds; logging each would drown real traffic. */
const QUIET_PATHS = ['/health', '/health/live', '/metrics'];

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
});

export const loggingParams = (service: string, level: LogLevel): Params => ({
  pinoHttp: {
    ...baseLoggerOptions(service, level),
    // No genReqId: Fastify names every request first (`createHttpAdapter`), and the logger takes `req.id`.
    customAttributeKeys: { reqId: 'requestId' },
    // Logs written while handling a request carry only its id, not the whole request again.
    quietReqLogger: true,
    autoLogging: { ignore: (request) => QUIET_PATHS.includes((request.url ?? '').split('?')[0] ?? '') },
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
