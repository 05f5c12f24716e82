import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, SpanKind, TraceFlags, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SamplingDecision } from '@opentelemetry/sdk-trace';
import {
  currentTraceparent,
  extractTraceparent,
  flushTracing,
  headerGetter,
  inSpan,
  injectTraceparent,
  samplerFor,
  startTracing,
  traceLogFields,
  tracingConfigFromEnv,
} from './tracing.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('tracingConfigFromEnv', () => {
  it('is off without an endpoint', () => {
    expect(tracingConfigFromEnv({}, 'kyc')).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, 'kyc')).toBeUndefined();
  });

  it('reads the endpoint, the ratio and the service name; the gateway is the edge', () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_TRACES_SAMPLER_ARG: '0.25' }, 'kyc')).toEqual(
      {
        endpoint: 'http://collector:4318',
        sampleRatio: 0.25,
        serviceName: 'kyc',
        edge: false,
      },
    );
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c:4318', OTEL_SERVICE_NAME: 'edge' }, 'gateway')).toEqual({
      endpoint: 'https://c:4318',
      sampleRatio: 1,
      serviceName: 'edge',
      edge: true,
    });
  });

  it('refuses a bad endpoint or ratio', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'kyc')).toThrow(/http or https/);
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'kyc')).toThrow(/not a URL/);
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'kyc')).toThrow(/ratio/);
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'kyc')).toThrow(
      /ratio/,
    );
  });
});

describe('samplerFor', () => {
  const remote = (sampled: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
  const decide = (edge: boolean, sampleRatio: number, parent: ReturnType<typeof remote>) =>
    samplerFor({ edge, sampleRatio }).shouldSample(parent, '0af7651916cd43dd8448eb211c80319c', 'GET', SpanKind.SERVER, {}, []).decision;

  it('inside the platform follows the caller; at the edge decides by the ratio alone', () => {
    expect(decide(false, 1, remote(false))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(false, 0, remote(true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    // A client cannot switch recording off, nor force it on.
    expect(decide(true, 1, remote(false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(true, 0, remote(true))).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('header carrier', () => {
  it('reads strings, Buffers (Kafka) and arrays, and nothing else', () => {
    expect(headerGetter.get({ traceparent: PARENT }, 'traceparent')).toBe(PARENT);
    expect(headerGetter.get({ traceparent: Buffer.from(PARENT) }, 'traceparent')).toBe(PARENT);
    expect(headerGetter.get({ traceparent: [Buffer.from(PARENT), 'x'] }, 'traceparent')).toBe(PARENT);
    expect(headerGetter.get({ traceparent: 3 }, 'traceparent')).toBeUndefined();
    expect(headerGetter.get({}, 'traceparent')).toBeUndefined();
  });
});

describe('with tracing started', () => {
  const exporter = new InMemorySpanExporter();
  startTracing({ endpoint: 'http://127.0.0.1:9', sampleRatio: 1, serviceName: 'unit', edge: false }, {}, exporter);

  it('continues a Kafka header traceparent, carries it on, and names it in log fields', async () => {
    const parent = extractTraceparent({ traceparent: Buffer.from(PARENT), tracestate: 'ignored=1' });
    let fields: Record<string, string> = {};
    const headers: Record<string, unknown> = {};
    await inSpan('process kyc.events', { kind: SpanKind.CONSUMER, parent, childOnly: true }, (span) => {
      fields = traceLogFields();
      injectTraceparent(headers);
      expect(currentTraceparent()).toBe(headers.traceparent);
      expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      return Promise.resolve();
    });
    expect(fields.trace_id).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(headers.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${fields.span_id}-01`);
    expect(headers.tracestate).toBeUndefined();
    await flushTracing();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('process kyc.events');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('makes no root span for child-only work, and no log fields outside a span', async () => {
    exporter.reset();
    const ran = await context.with(ROOT_CONTEXT, () =>
      inSpan('SELECT', { kind: SpanKind.CLIENT, childOnly: true }, (span) => Promise.resolve(span)),
    );
    expect(ran).toBeUndefined();
    expect(traceLogFields()).toEqual({});
    expect(currentTraceparent()).toBeUndefined();
    await flushTracing();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
