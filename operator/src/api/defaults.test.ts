import { describe, expect, it } from '@jest/globals';
import { platform } from './fixtures.js';
import {
  autoscalingFor,
  componentReplicas,
  dependencySecret,
  desiredComponentNames,
  imageFor,
  loadBalancingFor,
  networkPoliciesEnabled,
  releaseFor,
  resourcesFor,
} from './defaults.js';

describe('defaults accessors', () => {
  it('give the production preset when the profile is absent (the schema default)', () => {
    const { spec } = platform();
    expect(componentReplicas(spec, 'kyc')).toBe(3);
    expect(resourcesFor(spec, 'kyc')).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(autoscalingFor(spec, 'kyc')).toEqual({
      enabled: true,
      minReplicas: 3,
      maxReplicas: 20,
      targetCPUUtilizationPercentage: 70,
      targetMemoryUtilizationPercentage: 80,
      scaleDownStabilizationSeconds: 300,
    });
  });

  it('give development one replica, small resources and no autoscaling', () => {
    const { spec } = platform({ profile: 'development' });
    expect(componentReplicas(spec, 'gateway')).toBe(1);
    expect(autoscalingFor(spec, 'gateway').enabled).toBe(false);
    expect(resourcesFor(spec, 'gateway').limits.memory).toBe('256Mi');
  });

  it('let a component override win field by field without touching the spec', () => {
    const p = platform({
      profile: 'staging',
      autoscaling: { maxReplicas: 8 },
      components: { auth: { resources: { limits: { memory: '1Gi' } }, autoscaling: { minReplicas: 4 } } },
    });
    const before = JSON.stringify(p.spec);
    expect(resourcesFor(p.spec, 'auth')).toEqual({ requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '500m', memory: '1Gi' } });
    expect(autoscalingFor(p.spec, 'auth')).toMatchObject({ enabled: true, minReplicas: 4, maxReplicas: 8 });
    expect(autoscalingFor(p.spec, 'kyc')).toMatchObject({ minReplicas: 3, maxReplicas: 8 });
    expect(JSON.stringify(p.spec)).toBe(before);
  });

  it('list enabled components in the fixed order', () => {
    expect(desiredComponentNames(platform({ components: { notification: { enabled: false } } }).spec)).toEqual([
      'gateway',
      'kyc',
      'auth',
      'analytics',
      'frontend',
    ]);
  });

  it('default dependency keys as in the workload contract', () => {
    const { spec } = platform();
    expect(dependencySecret(spec, 'postgres')).toEqual({ name: 'kyc-postgres', key: 'url' });
    expect(dependencySecret(spec, 'kafka')).toEqual({ name: 'kyc-kafka', key: 'brokers' });
    expect(dependencySecret({ version: '1' }, 'redis')).toBeUndefined();
  });

  it('default image, load balancing, network policies and release', () => {
    const { spec } = platform();
    expect(imageFor(spec)).toBe('kyc-operator/workloads:1.4.2');
    expect(loadBalancingFor(spec)).toEqual({ strategy: 'round-robin', stickySessions: false });
    expect(networkPoliciesEnabled(spec)).toBe(true);
    expect(releaseFor(spec).strategy).toBe('RollingUpdate');
    expect(releaseFor({ ...spec, release: {} })).toMatchObject({ strategy: 'BlueGreen', scaleDownDelaySeconds: 30, autoPromote: true });
  });
});
