// OpenTelemetry traces (docs/observability.md, "Traces"). Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set
// (the operator sets it from spec.observability.tracing): then every service exports its spans over
// OTLP/HTTP. The spans are made by hand at the services' own seams — the express app, the gateway's
// upstream requests, the peer requests, the PostgreSQL client, the outbox relay and the Kafka consumer —
// rather than by auto-instrumentation, which cannot hook the ES modules these services are. The context
// travels in W3C `traceparent` headers, on HTTP and on Kafka messages alike.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { RequestHandler } from 'express';

export { SpanKind } from '@opentelemetry/api';
export type { Context, Span } from '@opentelemetry/api';

export const TRACEPARENT = 'traceparent';

export interface TracingConfig {
  /** The OTLP/HTTP endpoint's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** The share of new traces kept, 0..1 (OTEL_TRACES_SAMPLER_ARG, default 1). */
  sampleRatio: number;
  serviceName: string;
  /**
   * The gateway: a client's traceparent is continued (its trace id) but its sampled flag is not obeyed,
   * so no client decides what the platform records.
   */
  edge: boolean;
}

/** The tracing settings of `env`, or undefined when tracing is off (no endpoint). Throws on a bad value. */
export function tracingConfigFromEnv(env: NodeJS.ProcessEnv, component: string): TracingConfig | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL`);
  const ratioText = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const sampleRatio = ratioText ? Number(ratioText) : 1;
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG ${JSON.stringify(ratioText)} is not a ratio between 0 and 1`);
  }
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    sampleRatio,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || component,
    edge: component === 'gateway',
  };
}

/**
 * Inside the platform a parent's decision is followed (the gateway made it); at the edge every trace
 * is sampled by its id alone, whatever the client's flag says.
 */
export function samplerFor(config: Pick<TracingConfig, 'sampleRatio' | 'edge'>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.sampleRatio);
  return config.edge
    ? new ParentBasedSampler({ root: ratio, remoteParentSampled: ratio, remoteParentNotSampled: ratio })
    : new ParentBasedSampler({ root: ratio });
}

let provider: TracerProvider | undefined;

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/**
 * Registers the process's tracer provider (once; later calls do nothing). `exporter` replaces the OTLP
 * exporter (tests).
 */
export function startTracing(config: TracingConfig, resource: { platform?: string; version?: string } = {}, exporter?: SpanExporter): void {
  if (provider) return;
  provider = new TracerProvider({
    sampler: samplerFor(config),
    resource: resourceFromAttributes({
      'service.name': config.serviceName,
      ...(resource.platform && { 'service.namespace': resource.platform }),
      ...(resource.version && { 'service.version': resource.version }),
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter: exporter ?? new OTLPTraceExporter({ url: `${config.endpoint}/v1/traces` }) })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

/** Exports what is buffered (at shutdown, and in tests before reading the trace store). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
}

function tracer() {
  return trace.getTracer('kyc-operator');
}

/** `trace_id` and `span_id` of the active span for a log line; nothing outside a span. */
export function traceLogFields(): Record<string, string> {
  if (!provider) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Header values as Node.js's HTTP and kafkajs hold them. */
type HeaderValue = string | Buffer | Array<string | Buffer> | number | undefined;

/** Reads W3C headers from HTTP request headers or Kafka message headers (Buffers). */
export const headerGetter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    if (value === undefined || typeof value === 'number') return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

export const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/** The context a carrier's `traceparent` names (ROOT_CONTEXT without one); tracestate is not read. */
export function extractTraceparent(carrier: Record<string, HeaderValue>): Context {
  const value = headerGetter.get(carrier, TRACEPARENT);
  if (!provider || value === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { [TRACEPARENT]: value }, headerGetter);
}

/** Sets `traceparent` (and tracestate) in `carrier` for `ctx` (default: the active context). */
export function injectTraceparent(carrier: Record<string, unknown>, ctx: Context = context.active()): void {
  if (provider) propagation.inject(ctx, carrier, headerSetter);
}

/** The context's traceparent as a string, or undefined outside a sampled span. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  injectTraceparent(carrier, ctx);
  return carrier[TRACEPARENT];
}

export interface SpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent (default: the active context). */
  parent?: Context;
  /** Only as a child of a span already active (no root spans for background polling). */
  childOnly?: boolean;
}

/**
 * Runs `work` in a new span, ended when it settles (an error marks it failed). Without tracing, or
 * with `childOnly` outside a span, `work` runs alone.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  if (!provider || (options.childOnly && !trace.getSpan(parent))) return work(undefined);
  const span = tracer().startSpan(name, { kind: options.kind, ...(options.attributes && { attributes: options.attributes }) }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** A span started now and ended by the caller (for work whose end is an event, not a promise). */
export function startSpan(name: string, options: SpanOptions): Span | undefined {
  const parent = options.parent ?? context.active();
  if (!provider || (options.childOnly && !trace.getSpan(parent))) return undefined;
  return tracer().startSpan(name, { kind: options.kind, ...(options.attributes && { attributes: options.attributes }) }, parent);
}

export function contextWith(span: Span, parent: Context = context.active()): Context {
  return trace.setSpan(parent, span);
}

export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * A SERVER span per request, the parent of everything the request does: named by its route
 * (`GET /v1/applications/:id`) once routing has found one. The request's and response's events run
 * in the span's context, so middleware after a body read stays in it too.
 */
export function tracingMiddleware(): RequestHandler {
  return (req, res, next) => {
    if (!provider) return next();
    const parent = extractTraceparent(req.headers);
    const span = tracer().startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path.slice(0, 200) } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    context.bind(ctx, req);
    context.bind(ctx, res);
    res.once('close', () => {
      const route = req.route as { path?: unknown } | undefined;
      if (typeof route?.path === 'string') {
        span.updateName(`${req.method} ${req.baseUrl}${route.path}`);
        span.setAttribute('http.route', `${req.baseUrl}${route.path}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(ctx, next);
  };
}
