import { afterEach, describe, expect, it } from '@jest/globals';
import { POD_MONITOR_CRD } from '../render/podmonitor.js';
import type { KubeResource } from '../runtime/kube.js';
import type { FakeKube } from '../runtime/testing/fake-kube.js';
import { CRD } from './optional-kind.js';
import { POD_MONITOR_TYPE } from './pod-monitors.js';
import { PLATFORM } from './resources.js';
import { NAMESPACE, startTestReconciler, type TestReconciler } from './testing/fakes.js';

async function installPrometheusOperator(kube: FakeKube): Promise<void> {
  await kube.create(CRD, '', { apiVersion: CRD.apiVersion, kind: CRD.kind, metadata: { name: POD_MONITOR_CRD } });
}

describe('a platform with spec.observability.podMonitor', () => {
  const running: TestReconciler[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((t) => t.stop()));
  });
  const start = async (): Promise<TestReconciler> => {
    const t = await startTestReconciler({ podMonitors: true });
    running.push(t);
    return t;
  };
  const spec = { observability: { podMonitor: { labels: { release: 'kps' } } } };

  it('when the PodMonitor CRD is not installed, then none is written, the Event PodMonitorNotInstalled says so, and the rest rolls out', async () => {
    const t = await start();
    const key = await t.createPlatform(spec);
    await t.reconciler.reconcile(key);
    expect(t.api.writes.filter((w) => w.kind === 'PodMonitor')).toEqual([]);
    expect(t.events.recorded.find((e) => e.reason === 'PodMonitorNotInstalled')).toEqual({
      type: 'Warning',
      reason: 'PodMonitorNotInstalled',
      message:
        'spec.observability.podMonitor is set but the cluster has no podmonitors.monitoring.coreos.com CustomResourceDefinition (the Prometheus Operator): no PodMonitor written',
    });
    expect(t.api.writes.some((w) => w.kind === 'Deployment')).toBe(true);
  });

  it('when the CRD is installed, then one PodMonitor per component with the extra labels; removing the field deletes them', async () => {
    const t = await start();
    await installPrometheusOperator(t.api);
    const key = await t.createPlatform(spec);
    await t.reconciler.reconcile(key);
    const monitors = t.api.peekAll<KubeResource>(POD_MONITOR_TYPE, NAMESPACE);
    expect(monitors.map((m) => [m.metadata.name, m.metadata.labels?.release]).sort()).toEqual([
      ['acme-analytics', 'kps'],
      ['acme-auth', 'kps'],
      ['acme-frontend', 'kps'],
      ['acme-gateway', 'kps'],
      ['acme-kyc', 'kps'],
      ['acme-notification', 'kps'],
    ]);
    expect(t.events.reasons()).not.toContain('PodMonitorNotInstalled');

    await t.api.mergePatch(PLATFORM, NAMESPACE, 'acme', { spec: { observability: null } });
    await t.reconciler.reconcile(key);
    expect(t.api.peekAll(POD_MONITOR_TYPE, NAMESPACE)).toEqual([]);
  });

  it('when the platform does not ask for PodMonitors, then none and no Event about them', async () => {
    const t = await start();
    const key = await t.createPlatform({});
    await t.reconciler.reconcile(key);
    expect(t.events.reasons()).not.toContain('PodMonitorNotInstalled');
    expect(t.api.writes.filter((w) => w.kind === 'PodMonitor')).toEqual([]);
  });
});
