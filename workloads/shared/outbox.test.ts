import { beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { newEvent } from './events.js';
import { nextPassDelay, outboxValues, publication } from './outbox.js';
import { flushTracing, inSpan, startTracing } from './tracing.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const event = newEvent('kyc.application.created', 'app-1', { applicationId: 'app-1' }, 'user-1');

describe('the outbox without tracing', () => {
  it('stores the envelope as it is, and publishes a stored trace context nowhere but in the header', () => {
    expect(JSON.parse(outboxValues(event)[4])).toEqual(event);
    expect(publication('kyc.events', event)).toEqual({ value: event, span: undefined });
    // A row an earlier traced writer left: the envelope alone is published.
    expect(publication('kyc.events', { ...event, traceparent: PARENT })).toEqual({ value: event, span: undefined });
  });
});

describe('the relay between passes', () => {
  it('goes again at once after a full batch, lingers after a partial one, polls after an empty one', () => {
    expect(nextPassDelay(100, {})).toBe(0);
    expect(nextPassDelay(3, {})).toBe(20);
    expect(nextPassDelay(0, {})).toBe(200);
    // The linger never exceeds a shorter poll interval.
    expect(nextPassDelay(3, { intervalMs: 5, batchSize: 7 })).toBe(5);
    expect(nextPassDelay(7, { intervalMs: 5, batchSize: 7 })).toBe(0);
  });
});

describe('the outbox with tracing', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => startTracing({ endpoint: 'http://127.0.0.1:9', sampleRatio: 1, serviceName: 'unit', edge: false }, {}, exporter));

  it("keeps the writing request's traceparent in the row; the relay's PRODUCER span continues it", async () => {
    let stored: Record<string, unknown> = {};
    let requestSpanId = '';
    await inSpan('POST /api/v1/applications', { kind: SpanKind.SERVER }, (span) => {
      requestSpanId = span?.spanContext().spanId ?? '';
      stored = JSON.parse(outboxValues(event)[4]) as Record<string, unknown>;
      return Promise.resolve();
    });
    expect(stored.traceparent).toMatch(new RegExp(`^00-[0-9a-f]{32}-${requestSpanId}-01$`));
    const { value, span } = publication('kyc.events', stored);
    expect(value).toEqual(event);
    span?.end();
    await flushTracing();
    const publish = exporter.getFinishedSpans().find((s) => s.name === 'publish kyc.events');
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    expect(publish?.parentSpanContext?.spanId).toBe(requestSpanId);
  });
});
