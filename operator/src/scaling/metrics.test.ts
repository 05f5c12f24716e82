import { describe, expect, it } from '@jest/globals';
import { describeReading, replicasFor, valueForReplicas } from './metrics.js';
import { lagMetric as lag, latencyMetric as latency } from '../api/testing/metrics.js';

describe('replicasFor and valueForReplicas', () => {
  it('divides an AverageValue metric by the target, within min/max', () => {
    expect(replicasFor(lag, 4200, 3, 3, 20)).toEqual({ replicas: 20, bound: 'max' });
    expect(replicasFor(lag, 450, 3, 3, 20)).toEqual({ replicas: 5 });
    expect(replicasFor(lag, 0, 3, 3, 20)).toEqual({ replicas: 3, bound: 'min' });
  });
  it('scales a Value metric with the current replicas', () => {
    expect(replicasFor(latency, 500, 3, 1, 20)).toEqual({ replicas: 6 });
  });
  it('answers the value that makes the HPA hold a replica count', () => {
    expect(valueForReplicas(lag, 4, 2)).toBe(400);
    expect(replicasFor(latency, valueForReplicas(latency, 4, 2), 2, 1, 20)).toEqual({ replicas: 4 });
  });
});

describe('describeReading', () => {
  it('explains a decision in one line', () => {
    expect(describeReading(lag, 4200, { replicas: 20, bound: 'max' })).toBe('kafka lag 4200 / 100 per pod → 20 (max)');
    expect(describeReading(latency, 480.25, { replicas: 6 })).toBe('latency p95 480.3ms / 250ms → 6');
  });
});
