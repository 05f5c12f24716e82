// The series every component exposes on its metrics port (docs/autoscaling.md) and the PromQL that
// reads a component's request rate and latency from Prometheus: asked by the operator's Prometheus
// source (scaling/sources/prometheus.ts) and by KEDA's prometheus triggers (render/scaledobject.ts),
// so that both providers scale on the same numbers.
import type { Percentile } from './metrics.js';

export const REQUESTS_METRIC = 'kyc_http_requests_total';
export const DURATION_METRIC = 'kyc_http_request_duration_seconds';
export const PERCENTILES: Record<Percentile, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** PromQL for the requests per second of a component, over a 1-minute window. */
export function requestRateQuery(namespace: string, component: string, platform: string): string {
  return `sum(rate(${REQUESTS_METRIC}{namespace="${namespace}",component="${component}",platform="${platform}"}[1m]))`;
}

/** PromQL for a latency percentile of a component in milliseconds, over a 1-minute window. */
export function latencyQuery(namespace: string, component: string, platform: string, percentile: Percentile): string {
  return `1000 * histogram_quantile(${PERCENTILES[percentile]}, sum by (le) (rate(${DURATION_METRIC}_bucket{namespace="${namespace}",component="${component}",platform="${platform}"}[1m])))`;
}
