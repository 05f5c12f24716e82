// A metric source: where one custom metric of one component is read from (Kafka lag, Prometheus, the
// pods' own /metrics). Modelled on KEDA's Scaler (docs/autoscaling.md): it is built from its own
// config, validated once at construction by the source's schema, is read every poll, and is closed
// when the metric it serves goes away, so a source that holds a connection does not outlive it.
import { z } from 'zod';

export interface MetricReading {
  value: number;
  /** The metric asks for work (KEDA's activity): a lag, requests or latency above zero. */
  active: boolean;
}

export interface MetricSource {
  /** Reads the metric once. Throws, with context, when the source cannot answer. */
  read(): Promise<MetricReading>;
  /** Releases what the source holds; the engine reads a source no more once it closes it. */
  close(): Promise<void>;
}

/** The series every component exposes on its metrics port: what the request-rate and latency sources read. */
export { DURATION_METRIC, PERCENTILES, REQUESTS_METRIC } from '../../api/promql.js';

/** The component a metric belongs to: where its pods run and what its series are labelled with. */
export interface MetricPlace {
  namespace: string;
  platform: string;
  component: string;
  /** The platform's Kafka Secret (spec.dependencies.kafka.secretRef, in its namespace), for queueLag. */
  kafka?: { name: string; key: string; tls?: boolean };
}

/**
 * A Kubernetes object name: namespaces, platforms and components are pasted into label selectors and
 * PromQL, where a quote or a comma would change what is selected.
 */
export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase Kubernetes name');

export const placeSchema = z.object({ namespace: objectName, platform: objectName, component: objectName });

/** What a request-rate or latency source reads: the component, and for latency its percentile. */
export const httpReadingSchema = z.discriminatedUnion('kind', [
  placeSchema.extend({ kind: z.literal('requestRate') }),
  placeSchema.extend({ kind: z.literal('latency'), percentile: z.enum(['p50', 'p90', 'p95', 'p99']) }),
]);
export type HttpReadingConfig = z.infer<typeof httpReadingSchema>;

/** A source's config did not pass its schema; the message names the source and every bad field. */
export class SourceConfigError extends Error {}

/** `raw` checked against a source's schema, or a SourceConfigError such as `prometheus source: namespace: must be ...`. */
export function sourceConfig<T>(source: string, schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(config)'}: ${issue.message}`);
  throw new SourceConfigError(`${source} source: ${problems.join('; ')}`);
}
