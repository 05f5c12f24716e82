import { describe, expect, it } from '@jest/globals';
import { summarize } from './summary.js';
import { releasedDeployments, releasedPlatform, SCALING_DOWN } from './testing/platforms.js';

describe('summarize', () => {
  it('lists the reported components in the fixed order with their colours, the active one first', () => {
    const summary = summarize(releasedPlatform(), releasedDeployments().reverse());
    expect(summary.components.map((c) => c.name)).toEqual(['gateway', 'kyc']);
    expect(summary.components[1]?.colors.map((c) => [c.deployment, c.role, c.version, c.ready])).toEqual([
      ['acme-kyc-green', 'active', '1.4.3', 4],
      ['acme-kyc-blue', 'previous', '1.4.2', 4],
    ]);
    expect(summary.components[1]?.scaling?.mode).toBe('Autoscaled');
    expect(summary).toMatchObject({ name: 'acme', namespace: 'kyc-test', version: '1.4.3', activeColor: 'green', healthy: true });
  });

  it('shows the frontend like any other component once it is reported, after the services in the fixed order', () => {
    const base = releasedPlatform();
    const withApp = releasedPlatform(SCALING_DOWN, {
      components: { ...base.status?.components, frontend: { desired: 1, ready: 1, updated: 1, available: 1 } },
    });
    const frontend = (color: string, version: string) => ({
      metadata: {
        name: `acme-frontend-${color}`,
        generation: 1,
        labels: { 'app.kubernetes.io/component': 'frontend', 'app.kubernetes.io/instance': 'acme', 'kyc.dev/color': color },
        annotations: { 'kyc.dev/version': version },
      },
      spec: { replicas: 1 },
      status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    });
    const summary = summarize(withApp, [frontend('blue', '1.4.2'), ...releasedDeployments(), frontend('green', '1.4.3')]);
    expect(summary.components.map((c) => c.name)).toEqual(['gateway', 'kyc', 'frontend']);
    expect(summary.components[2]?.colors.map((c) => [c.deployment, c.role, c.version])).toEqual([
      ['acme-frontend-green', 'active', '1.4.3'],
      ['acme-frontend-blue', 'previous', '1.4.2'],
    ]);
    expect(summary.components[2]?.ready).toBe(true);
  });

  it('calls the colour being released the preview, and the other one idle once the old colour is gone', () => {
    const deploying = summarize(
      releasedPlatform({ phase: 'Deploying', activeColor: 'blue', activeVersion: '1.4.2', previewColor: 'green', previewVersion: '1.4.3' }),
      releasedDeployments(),
    );
    expect(deploying.components[0]?.colors.map((c) => [c.color, c.role])).toEqual([
      ['blue', 'active'],
      ['green', 'preview'],
    ]);
    const idle = summarize(
      releasedPlatform({ phase: 'Idle', activeColor: 'green', activeVersion: '1.4.3', previewColor: 'blue' }),
      releasedDeployments(),
    );
    expect(idle.components[0]?.colors.map((c) => c.role)).toEqual(['active', 'idle']);
  });

  it('takes the single Deployment of a platform without blue-green as active, and as previous after a migration', () => {
    const single = {
      metadata: { name: 'acme-gateway', labels: { 'app.kubernetes.io/component': 'gateway' }, annotations: { 'kyc.dev/version': '1.4.2' } },
      spec: { replicas: 2 },
      status: { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
    };
    expect(summarize(releasedPlatform(null), [single]).components[0]?.colors[0]).toMatchObject({
      color: 'single',
      role: 'active',
      rolledOut: true,
    });
    const migrated = releasedPlatform({ ...SCALING_DOWN, previousColor: 'legacy', activeColor: 'blue' });
    expect(summarize(migrated, [single]).components[0]?.colors[0]?.role).toBe('previous');
  });

  it('is unhealthy when the platform is Degraded or Failed, or its last release failed', () => {
    expect(summarize(releasedPlatform(SCALING_DOWN, { phase: 'Degraded' }), []).healthy).toBe(false);
    expect(summarize(releasedPlatform(SCALING_DOWN, { phase: 'Failed' }), []).healthy).toBe(false);
    expect(summarize(releasedPlatform(SCALING_DOWN, { phase: 'Progressing' }), []).healthy).toBe(true);
    const failed = releasedPlatform();
    failed.status?.conditions?.push({
      type: 'ReleaseFailed',
      status: 'True',
      reason: 'SmokeCheckFailed',
      message: 'x',
      lastTransitionTime: '',
    });
    failed.status!.conditions = failed.status?.conditions?.filter((c) => !(c.type === 'ReleaseFailed' && c.status === 'False'));
    expect(summarize(failed, []).healthy).toBe(false);
  });

  it('reports promote and abort annotations the operator has not removed yet', () => {
    const platform = releasedPlatform();
    platform.metadata.annotations = { 'kyc.dev/abort': 'true', 'kyc.dev/promote': 'true', other: 'x' };
    expect(summarize(platform, []).pendingRequests).toEqual(['kyc.dev/promote', 'kyc.dev/abort']);
  });
});
