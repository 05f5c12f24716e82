// Proves the local cluster is a real Kubernetes control plane: the scheduler places pods on the
// KWOK nodes, the controller manager runs Deployments and garbage collection, and the API serves
// autoscaling/v2 and coordination.k8s.io.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';

requireEnv('KUBECONFIG');
const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
const namespace = `foundation-${uniqueSuffix()}`;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await eventually('the default ServiceAccount', () => core.readNamespacedServiceAccount({ name: 'default', namespace }).then(() => true));
}, 60_000);

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('the local cluster', () => {
  it('reports the pinned Kubernetes version and at least three Ready nodes', async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.33.13');
    const nodes = await core.listNode();
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.length).toBeGreaterThanOrEqual(3);
  });

  it('runs a 3-replica Deployment until 3 replicas are available', async () => {
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'kyc-operator/none:1' }] },
          },
        },
      },
    });
    const available = await eventually('3 available replicas', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
      return d.status?.availableReplicas === 3 ? d.status.availableReplicas : undefined;
    });
    expect(available).toBe(3);
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    expect(pods.items.every((p) => p.spec?.nodeName?.startsWith('kwok-node-'))).toBe(true);
  }, 90_000);

  it('garbage-collects a dependent when its owner is deleted', async () => {
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! }],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace });
    const gone = await eventually('the dependent to be collected', async () => {
      const list = await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=dependent' });
      return list.items.length === 0;
    });
    expect(gone).toBe(true);
  }, 90_000);

  it('serves autoscaling/v2 HorizontalPodAutoscalers', async () => {
    const hpa = await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 3,
          maxReplicas: 20,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      },
    });
    expect(hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBe(300);
    const read = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'web', namespace });
    expect(read.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(70);
  });

  it('serves coordination.k8s.io Leases', async () => {
    const renewTime = new k8s.V1MicroTime();
    await coordination.createNamespacedLease({
      namespace,
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'test', leaseDurationSeconds: 15, renewTime } },
    });
    const lease = await coordination.readNamespacedLease({ name: 'leader', namespace });
    expect(lease.spec?.holderIdentity).toBe('test');
  });

  it('has API aggregation configured for APIServices', async () => {
    const registration = kc.makeApiClient(k8s.ApiregistrationV1Api);
    const services = await registration.listAPIService();
    expect(services.items.some((s) => s.metadata?.name === 'v1.apps')).toBe(true);
    const auth = await core.readNamespacedConfigMap({ name: 'extension-apiserver-authentication', namespace: 'kube-system' });
    expect(auth.data?.['requestheader-client-ca-file']).toContain('BEGIN CERTIFICATE');
  });
});
