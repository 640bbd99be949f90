import { IncomingMessage } from 'node:http';
import { Span, SpanKind, context, trace } from '@opentelemetry/api';
import { FastifyInstance } from 'fastify';
import { contextFrom, tracer } from './tracing';

const SPAN = Symbol('tally.httpSpan');
type Traced = IncomingMessage & { [SPAN]?: Span };

/** The trace and span ids of a request's server span, for its log lines. */
export const requestTraceIds = (request: IncomingMessage): { traceId: string; spanId: string } | undefined => {
  const span = (request as Traced)[SPAN];
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
};

/**
 * A server span per request, child of the caller's `traceparent`: opened when the request arrives
 * (before the logger's middleware names it), made the active context for the handler once the body
 * is parsed, ended with the status when the reply is sent.
 */
export const registerHttpTracing = (fastify: FastifyInstance): void => {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const parent = contextFrom(request.headers);
    (request.raw as Traced)[SPAN] = tracer().startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } },
      parent,
    );
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = (request.raw as Traced)[SPAN];
    if (span) context.with(trace.setSpan(context.active(), span), done);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = (request.raw as Traced)[SPAN];
    span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span?.setStatus({ code: 2 });
    span?.end();
    done();
  });
};
