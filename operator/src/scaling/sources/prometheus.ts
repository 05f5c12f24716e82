// The Prometheus source of a component's request rate or latency (when the operator has a Prometheus
// URL): one instant query per read, summed over the component's pods by the query itself. The client
// is plain HTTP and holds nothing, so closing the source has nothing to release.
import { z } from 'zod';
import { latencyQuery, type PrometheusClient, requestRateQuery } from '../prometheus.js';
import { placeSchema, sourceConfig, type MetricReading, type MetricSource } from './source.js';

/** What a request-rate or latency source reads: the component, and for latency its percentile. */
export const httpReadingSchema = z.discriminatedUnion('kind', [
  placeSchema.extend({ kind: z.literal('requestRate') }),
  placeSchema.extend({ kind: z.literal('latency'), percentile: z.enum(['p50', 'p90', 'p95', 'p99']) }),
]);
export type HttpReadingConfig = z.infer<typeof httpReadingSchema>;

export class PrometheusSource implements MetricSource {
  /** The PromQL this source sends. */
  readonly query: string;

  constructor(
    config: unknown,
    private readonly client: PrometheusClient,
  ) {
    const c = sourceConfig('prometheus', httpReadingSchema, config);
    this.query = c.kind === 'requestRate' ? requestRateQuery(c.namespace, c.component, c.platform) : latencyQuery(c.namespace, c.component, c.platform, c.percentile);
  }

  async read(): Promise<MetricReading> {
    const value = await this.client.query(this.query);
    return { value, active: value > 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
