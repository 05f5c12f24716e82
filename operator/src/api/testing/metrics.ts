// The metrics the scaling unit tests read and divide: a queue lag averaged per replica, a latency taken as it is.
import type { ComponentMetric } from '../metrics.js';

export const lagMetric: ComponentMetric = {
  kind: 'queueLag',
  name: 'kafka-consumer-lag',
  targetType: 'AverageValue',
  target: 100,
  group: 'g',
  topics: undefined,
};

export const latencyMetric: ComponentMetric = {
  kind: 'latency',
  name: 'http-request-latency-ms',
  targetType: 'Value',
  target: 250,
  percentile: 'p95',
};
