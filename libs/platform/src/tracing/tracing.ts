import { Context, Link, Span, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Env } from '../config/config.loader';

/**
 * `off`: no spans, no trace ids; `local` (the default): spans are made and their context travels
 * in `traceparent` headers (HTTP and Kafka) and into the logs, but nothing is exported; `on`:
 * the same, exported over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (a collector on
 * 127.0.0.1:4318 unless set). An OTEL_EXPORTER_OTLP_ENDPOINT alone turns export on.
 */
export type TracingMode = 'off' | 'local' | 'on';

export const tracingMode = (env: Env): TracingMode => {
  const asked = (env.TALLY_TRACING ?? '').trim().toLowerCase();
  if (asked === 'off' || asked === 'on' || asked === 'local') return asked;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'on' : 'local';
};

let provider: NodeTracerProvider | undefined;

/**
 * Registers the process's tracer provider once (the first service or test to ask wins):
 * AsyncLocalStorage context, W3C trace-context propagation, and the exporter the mode asks for.
 * Tests pass their own processors (an in-memory exporter).
 */
export const startTracing = (service: string, env: Env = process.env, processors?: SpanProcessor[]): NodeTracerProvider | undefined => {
  if (provider) return provider;
  const mode = tracingMode(env);
  if (mode === 'off' && !processors) return undefined;
  const exporting = processors ?? (mode === 'on' ? [new BatchSpanProcessor(new OTLPTraceExporter())] : []);
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? `tally-${service}` }),
    spanProcessors: exporting,
  });
  provider.register();
  return provider;
};

/** Flushes and removes the provider (tests; a service's shutdown flushes what is batched). */
export const stopTracing = async (): Promise<void> => {
  const stopping = provider;
  provider = undefined;
  if (!stopping) return;
  await stopping.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
};

export const tracer = () => trace.getTracer('tally');

/** The active span's trace id, for log lines; none when tracing is off or nothing is traced. */
export const activeTraceIds = (): { traceId: string; spanId: string } | undefined => {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
};

type Carrier = Record<string, unknown>;
const getter = {
  keys: (carrier: Carrier) => Object.keys(carrier),
  get: (carrier: Carrier, key: string) => {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === null ? undefined : Buffer.isBuffer(first) ? first.toString('latin1') : String(first);
  },
};

/** The context a `traceparent` (HTTP or Kafka headers) carries, or the root context when none. */
export const contextFrom = (headers: Carrier | undefined): Context => (headers ? propagation.extract(context.active(), headers, getter) : context.active());

/** The `traceparent` (and `tracestate`) of `ctx`, to put on an outgoing message or row. */
export const traceHeaders = (ctx: Context = context.active()): Record<string, string> => {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
};

/** Runs `work` in a span (child of `parent`, else of the active context) that records a failure and always ends. */
export const inSpan = async <T>(
  name: string,
  options: { parent?: Context; kind?: SpanKind; links?: Link[]; attributes?: Record<string, string | number> },
  work: (span: Span) => Promise<T>,
): Promise<T> => {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind, links: options.links, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: 2 });
    throw error;
  } finally {
    span.end();
  }
};
