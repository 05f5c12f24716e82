// How many replicas a reading of a component's custom metric (api/metrics.ts) asks for, and how it is told.
import type { ComponentMetric } from '../api/metrics.js';

/** Replicas one reading asks for, as the HPA controller computes it (10 % tolerance aside), within min/max. */
export function replicasFor(
  metric: ComponentMetric,
  value: number,
  currentReplicas: number,
  min: number,
  max: number,
): { replicas: number; bound?: 'min' | 'max' } {
  const raw =
    metric.targetType === 'AverageValue'
      ? Math.ceil(value / metric.target)
      : Math.ceil((value / metric.target) * Math.max(1, currentReplicas));
  if (raw > max) return { replicas: max, bound: 'max' };
  if (raw < min) return { replicas: min, bound: 'min' };
  return { replicas: raw };
}

/** The value that makes the HPA ask for `replicas` on this metric (KEDA's way of applying a fallback). */
export function valueForReplicas(metric: ComponentMetric, replicas: number, currentReplicas: number): number {
  if (metric.targetType === 'AverageValue') return replicas * metric.target;
  return (metric.target * replicas) / Math.max(1, currentReplicas);
}

const LABELS: Record<ComponentMetric['kind'], string> = { queueLag: 'kafka lag', requestRate: 'request rate', latency: 'latency' };

/** e.g. `kafka lag 4200 / 100 per pod → 20 (max)` or `latency p95 480ms / 250ms → 6`. */
export function describeReading(metric: ComponentMetric, value: number, decision: { replicas: number; bound?: 'min' | 'max' }): string {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  const bound = decision.bound ? ` (${decision.bound})` : '';
  if (metric.kind === 'latency') return `latency ${metric.percentile} ${shown}ms / ${metric.target}ms → ${decision.replicas}${bound}`;
  const unit = metric.kind === 'requestRate' ? ' rps' : '';
  return `${LABELS[metric.kind]} ${shown}${unit} / ${metric.target}${unit} per pod → ${decision.replicas}${bound}`;
}
