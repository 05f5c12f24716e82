import { describe, expect, it } from '@jest/globals';
import { platform } from './fixtures.js';
import { renderHorizontalPodAutoscaler } from './hpa.js';

describe('renderHorizontalPodAutoscaler', () => {
  it('targets the Deployment with the seed defaults: 3-20 replicas, CPU 70 %, memory 80 %, 300 s scale-down window', () => {
    const hpa = renderHorizontalPodAutoscaler(platform({ profile: 'production' }), 'kyc');
    expect(hpa?.apiVersion).toBe('autoscaling/v2');
    expect(hpa?.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'acme-kyc' },
      minReplicas: 3,
      maxReplicas: 20,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    });
  });

  it('uses per-component overrides', () => {
    const hpa = renderHorizontalPodAutoscaler(
      platform({ autoscaling: { maxReplicas: 10 }, components: { kyc: { autoscaling: { minReplicas: 4, targetCPUUtilizationPercentage: 50 } } } }),
      'kyc',
    );
    expect(hpa?.spec).toMatchObject({ minReplicas: 4, maxReplicas: 10 });
    expect(JSON.stringify(hpa?.spec)).toContain('"averageUtilization":50');
  });

  it('is absent when the component is not autoscaled', () => {
    expect(renderHorizontalPodAutoscaler(platform({ profile: 'development' }), 'kyc')).toBeUndefined();
    expect(renderHorizontalPodAutoscaler(platform({ components: { kyc: { autoscaling: { enabled: false } } } }), 'kyc')).toBeUndefined();
  });
});
