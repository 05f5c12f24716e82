// The Prometheus source of a component's request rate or latency (when the operator has a Prometheus
// URL): one instant query per read, summed over the component's pods by the query itself. The client
// is plain HTTP and holds nothing, so closing the source has nothing to release.
import { httpReadingSchema, sourceConfig, type MetricReading, type MetricSource } from './source.js';

import { latencyQuery, requestRateQuery } from '../../api/promql.js';

export { latencyQuery, requestRateQuery };

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { value?: [number, string] }[] | [number, string] };
}

/** A minimal client of the Prometheus HTTP API (GET /api/v1/query). */
export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 5000,
  ) {}

  /** The query's single value; an empty vector is 0 (no traffic), NaN (no samples) is 0 too. */
  async query(promql: string): Promise<number> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    url.searchParams.set('query', promql);
    const response = await this.fetchImpl(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    const body = (await response.json().catch(() => undefined)) as QueryResponse | undefined;
    if (!response.ok || !body || body.status !== 'success') {
      throw new Error(`prometheus query failed: HTTP ${response.status}${body?.error ? `: ${body.error}` : ''}`);
    }
    const data = body.data;
    let raw: string | undefined;
    if (data?.resultType === 'scalar') raw = (data.result as [number, string])[1];
    else if (data?.resultType === 'vector') {
      const vector = data.result as { value?: [number, string] }[];
      if (vector.length === 0) return 0;
      if (vector.length > 1) throw new Error(`prometheus query returned ${vector.length} series; expected one`);
      raw = vector[0]?.value?.[1];
    } else throw new Error(`prometheus query returned ${data?.resultType ?? 'nothing'}; expected a vector or scalar`);
    const value = Number(raw);
    return Number.isFinite(value) ? value : 0;
  }
}

export class PrometheusSource implements MetricSource {
  /** The PromQL this source sends. */
  readonly query: string;

  constructor(
    config: unknown,
    private readonly client: PrometheusClient,
  ) {
    const c = sourceConfig('prometheus', httpReadingSchema, config);
    this.query =
      c.kind === 'requestRate'
        ? requestRateQuery(c.namespace, c.component, c.platform)
        : latencyQuery(c.namespace, c.component, c.platform, c.percentile);
  }

  async read(): Promise<MetricReading> {
    const value = await this.client.query(this.query);
    return { value, active: value > 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
