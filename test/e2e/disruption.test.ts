// A gateway pod is deleted (`kubectl delete pod`) while a client keeps calling the API through the
// gateway Service: the Deployment replaces the pod and the client sees no failed request beyond its
// own single retry. What makes it work: two gateway replicas, a readiness probe on /ready, a preStop
// pause that lets the endpoints drop the pod before SIGTERM, and a graceful drain on SIGTERM.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import {
  NAMESPACE,
  PLATFORM,
  activeGatewaySelector,
  apps,
  core,
  customerToken,
  eventually,
  gatewayDeploymentName,
  gatewayUrl,
  getPlatform,
  kc,
  podReady,
  request,
  startTraffic,
  waitReady,
} from './support.js';

const exec = promisify(execFile);
const policy = kc.makeApiClient(k8s.PolicyV1Api);

describe('deleting a gateway pod under traffic', () => {
  let base = '';
  const api = (path: string): string => `${base}/api/v1${path}`;

  beforeAll(async () => {
    await waitReady((await getPlatform()).spec.version);
    base = await gatewayUrl();
  }, 720_000);

  it('runs the gateway with two ready replicas and a PodDisruptionBudget', async () => {
    const deployment = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: await gatewayDeploymentName() });
    expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.readinessProbe?.httpGet?.path).toBe('/ready');
    const pdb = await policy.readNamespacedPodDisruptionBudget({ namespace: NAMESPACE, name: `${PLATFORM}-gateway` });
    expect(pdb.spec?.maxUnavailable).toBe(1);
  });

  it('keeps answering while a gateway pod is deleted, and the Deployment recovers', async () => {
    const token = await customerToken(api, 'traffic');
    const gatewayPods = await activeGatewaySelector();
    const gatewayDeployment = await gatewayDeploymentName();
    const before = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: gatewayPods })).items.filter(podReady);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const victim = before[0]?.metadata?.name as string;

    const traffic = startTraffic(api('/auth/me'), token);
    // Some traffic first, so that the client holds connections to both pods.
    await eventually('requests flowing', async () => (await request(api('/auth/me'), { token })).status === 200, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await exec('kubectl', ['delete', 'pod', '-n', NAMESPACE, victim, '--wait=false']);

    await eventually(
      'the gateway Deployment back to all replicas ready, without the deleted pod',
      async () => {
        const d = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: gatewayDeployment });
        const pods = (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: gatewayPods })).items;
        const desired = d.spec?.replicas ?? 0;
        return (
          d.status?.readyReplicas === desired && pods.filter(podReady).length === desired && !pods.some((p) => p.metadata?.name === victim)
        );
      },
      240_000,
      1000,
    );
    // A little more traffic on the recovered Deployment.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const report = await traffic.stop();

    expect(report.failed).toEqual([]);
    expect(report.ok).toBe(report.sent);
    expect(report.sent).toBeGreaterThan(20);
  }, 360_000);
});
