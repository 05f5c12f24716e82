// The custom metrics of a component (pure, from the spec): what each is called in
// external.metrics.k8s.io and its HPA target. The renderer writes them into the HPA, scaling reads them.
import { DEFAULT_CONSUMERS, KAFKA_CONSUMERS, type ComponentName } from './components.js';
import { autoscalingFor } from './defaults.js';
import type { ComponentAutoscalingMetrics, KycPlatform, KycPlatformSpec } from './types.js';

export const METRIC_QUEUE_LAG = 'kafka-consumer-lag';
export const METRIC_REQUEST_RATE = 'http-requests-per-second';
export const METRIC_LATENCY = 'http-request-latency-ms';
/** Labels of the HPA metric selector: the API answers for the platform and component they name. */
export const PLATFORM_LABEL = 'kyc.dev/platform';
export const COMPONENT_LABEL = 'kyc.dev/component';

export type Percentile = 'p50' | 'p90' | 'p95' | 'p99';

interface BaseMetric {
  name: string;
  /** AverageValue: the HPA divides the value by the pods; Value: compared with the target as is. */
  targetType: 'AverageValue' | 'Value';
  target: number;
}
export interface QueueLagMetric extends BaseMetric {
  kind: 'queueLag';
  group: string;
  topics: readonly string[] | undefined;
}
export interface RequestRateMetric extends BaseMetric {
  kind: 'requestRate';
}
export interface LatencyMetric extends BaseMetric {
  kind: 'latency';
  percentile: Percentile;
}
export type ComponentMetric = QueueLagMetric | RequestRateMetric | LatencyMetric;

function applies(
  components: readonly string[] | undefined,
  component: ComponentName,
  fallback: readonly ComponentName[] | undefined,
): boolean {
  if (components && components.length > 0) return components.includes(component);
  return fallback ? fallback.includes(component) : true;
}

/**
 * The metric settings that hold for one component: its own `autoscaling.metrics` when set (they replace
 * the platform's entirely, `{}` meaning none), else those of spec.autoscaling.metrics whose components
 * list takes it in.
 */
function metricsSpecFor(spec: KycPlatformSpec, component: ComponentName): ComponentAutoscalingMetrics {
  const own = spec.components?.[component]?.autoscaling?.metrics;
  if (own) return own;
  const { requestRate, latency, queueLag } = spec.autoscaling?.metrics ?? {};
  return {
    ...(requestRate && applies(requestRate.components, component, undefined) ? { requestRate } : {}),
    ...(latency && applies(latency.components, component, undefined) ? { latency } : {}),
    ...(queueLag && applies(queueLag.components, component, KAFKA_CONSUMERS) ? { queueLag } : {}),
  };
}

/** The custom metrics an autoscaled component scales on (empty when it has none or is not autoscaled). */
export function componentMetrics(platform: KycPlatform, component: ComponentName): ComponentMetric[] {
  if (!autoscalingFor(platform.spec, component).enabled) return [];
  const { requestRate: rate, latency, queueLag: lag } = metricsSpecFor(platform.spec, component);
  const out: ComponentMetric[] = [];
  if (lag) {
    // Without a group of its own or in the spec there is no lag to measure (the CRD rejects that for a
    // component's own metrics; a platform-wide queueLag simply skips such a component).
    const defaults = DEFAULT_CONSUMERS[component];
    const group = lag.consumerGroup ?? defaults?.group;
    if (group) {
      const topics = lag.topics && lag.topics.length > 0 ? lag.topics : lag.consumerGroup ? undefined : defaults?.topics;
      out.push({ kind: 'queueLag', name: METRIC_QUEUE_LAG, targetType: 'AverageValue', target: lag.targetLagPerReplica, group, topics });
    }
  }
  if (rate) {
    out.push({ kind: 'requestRate', name: METRIC_REQUEST_RATE, targetType: 'AverageValue', target: rate.targetPerReplica });
  }
  if (latency) {
    out.push({
      kind: 'latency',
      name: METRIC_LATENCY,
      targetType: 'Value',
      target: latency.targetMilliseconds,
      percentile: latency.percentile ?? 'p95',
    });
  }
  return out;
}

/**
 * No usable reading of a metric (unknown selector, no reading yet, a failing source): the external
 * metrics API answers 404 and the HPA keeps its count. Thrown by scaling, caught by metrics-api.
 */
export class MetricUnavailableError extends Error {}

/** A number as a Kubernetes quantity: integers as is, fractions in milli-units (12.5 → 12500m). */
export function toQuantity(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return `${Math.round(value * 1000)}m`;
}
