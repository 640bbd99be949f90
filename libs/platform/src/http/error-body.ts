import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorBody } from './app.error';
import { errorCodeFor } from './error-codes';

export interface RenderedError {
  status: number;
  body: ErrorBody;
  /** Only unexpected errors are logged with their stack; refusals are the API working. */
  unexpected: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const messageOf = (response: Record<string, unknown>, fallback: string): string => {
  const message = response.message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return fallback;
};

const INTERNAL: RenderedError = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  body: { error: 'internal_error', message: 'internal error' },
  unexpected: true,
};

/** Nest's router says `Cannot GET /the/url` for an unknown route: the URL is not echoed back. */
const frameworkMessage = (status: number, response: string | object, fallback: string): string => {
  if (status === HttpStatus.NOT_FOUND) return 'no route answers this method and path';
  return isRecord(response) ? messageOf(response, fallback) : String(response);
};

const fromHttpException = (exception: HttpException): RenderedError => {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (isRecord(response) && typeof response.error === 'string' && /^[a-z][a-z0-9_]*$/.test(response.error)) {
    return { status, body: { ...response, error: response.error, message: messageOf(response, exception.message) }, unexpected: false };
  }
  // A framework's 5xx message may name internals; ours (above) never do.
  if (status >= 500) return { status, body: { error: errorCodeFor(status), message: INTERNAL.body.message }, unexpected: true };
  return { status, body: { error: errorCodeFor(status), message: frameworkMessage(status, response, exception.message) }, unexpected: false };
};

/** Errors from the HTTP stack (body-parser's http-errors) that are safe to show: 4xx with `expose`. */
const fromExposedClientError = (exception: unknown): RenderedError | undefined => {
  if (!(exception instanceof Error) || !isRecord(exception)) return undefined;
  const status = exception.status;
  if (exception.expose !== true || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return { status, body: { error: errorCodeFor(status), message: exception.message }, unexpected: false };
};

/** Fastify's own refusals (bad JSON, an empty JSON body, a body over the limit, an unknown media type): 4xx, safe to show. */
const fromFastifyClientError = (exception: unknown): RenderedError | undefined => {
  if (!(exception instanceof Error) || !isRecord(exception)) return undefined;
  const status = exception.statusCode;
  if (typeof exception.code !== 'string' || !exception.code.startsWith('FST_') || typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return { status, body: { error: errorCodeFor(status), message: exception.message }, unexpected: false };
};

/**
 * Node's error for a request whose connection closed before its body ended (a client that gave up
 * mid-upload): the client's doing, not ours, so no unexpected error is logged. Matched by shape,
 * not class: it is Node's own `Error`.
 */
const fromAbortedBody = (exception: unknown): RenderedError | undefined =>
  isRecord(exception) && exception.code === 'ECONNRESET' && exception.message === 'aborted'
    ? { status: 400, body: { error: 'invalid_request', message: 'the request body was cut off before its end' }, unexpected: false }
    : undefined;

/**
 * Renders anything thrown into `{error, message, ...}`. Our own codes (snake_case `error`) pass
 * through; Nest's built-in exceptions get a code from their status; anything else is a 500 that
 * says nothing about internals.
 */
export const renderError = (exception: unknown): RenderedError => {
  if (exception instanceof HttpException) return fromHttpException(exception);
  return fromExposedClientError(exception) ?? fromFastifyClientError(exception) ?? fromAbortedBody(exception) ?? INTERNAL;
};
