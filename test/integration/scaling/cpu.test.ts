// CPU Resource metrics drive the real kube-controller-manager HPA controller: the kyc pods' CPU usage
// (emulated by KWOK, scraped by metrics-server, served as metrics.k8s.io) above the utilisation target
// scales the kyc Deployment out; back under it, the Deployment scales in after the (test-shortened)
// stabilisation window.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import type { RunningOperator } from '../../../operator/src/manager.js';
import {
  createNamespace,
  deleteNamespace,
  developmentPlatform,
  installCrd,
  PLATFORM,
  startTestOperator,
  testClient,
} from '../operator/support.js';
import { eventually } from '../../support/env.js';
import { getRaw, HPA, hpaTargetReplicas } from './support.js';
import { emulateUsage, quantityBytes, type UsageEmulation } from './usage.js';

const client = testClient();
const NAME = 'cpu';
const SELECTOR = `app.kubernetes.io/instance=${NAME},app.kubernetes.io/component=kyc`;
// The development profile requests 50m CPU and 128Mi per kyc pod; the HPA aims at 50 % CPU.
const IDLE = { cpu: '5m', memory: '32Mi' }; // 10 % CPU, 25 % memory
const BUSY = { cpu: '200m', memory: '32Mi' }; // 400 % CPU
let namespace: string;
let operator: RunningOperator | undefined;
let usage: UsageEmulation | undefined;

interface ResourceMetricStatus {
  type: string;
  resource?: { name: string; current: { averageUtilization?: number; averageValue?: string } };
}
interface HpaResource extends KubeResource {
  spec: { metrics: unknown[] };
  status?: { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: ResourceMetricStatus[] | null };
}
interface PodMetricsList {
  items: { metadata: { name: string }; containers: { name: string; usage: { cpu: string; memory: string } }[] }[];
}

const hpa = (): Promise<HpaResource | undefined> => client.get<HpaResource>(HPA, namespace, `${NAME}-kyc`);
const kycReplicas = (): Promise<number> => hpaTargetReplicas(client, namespace, `${NAME}-kyc`);
/** The CPU utilisation the HPA controller last read, in percent of the pods' requests. */
const hpaCpu = async (): Promise<number | undefined> =>
  (await hpa())?.status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current
    .averageUtilization;

const cpuWhere = (accept: (value: number) => boolean) => async (): Promise<{ cpu: number } | undefined> => {
  const cpu = await hpaCpu();
  return cpu !== undefined && accept(cpu) ? { cpu } : undefined;
};

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'scaling-cpu');
  operator = await startTestOperator({ namespace });
}, 180_000);

afterAll(async () => {
  await usage?.stop();
  await operator?.stop();
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
}, 60_000);

describe('CPU autoscaling of kyc (Resource metrics from metrics-server)', () => {
  it('scales kyc out when its pods use more CPU than the target, and back in once they idle', async () => {
    usage = emulateUsage(client, namespace, SELECTOR, IDLE);
    const platform = developmentPlatform(namespace, NAME);
    platform.spec.autoscaling = { enabled: false };
    platform.spec.components = {
      kyc: {
        autoscaling: {
          enabled: true,
          minReplicas: 1,
          maxReplicas: 4,
          targetCPUUtilizationPercentage: 50,
          scaleDownStabilizationSeconds: 15,
        },
      },
    };
    await client.create(PLATFORM, namespace, platform);

    const live = await eventually('the kyc HPA', hpa);
    expect(live.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    await eventually('kyc at 1 replica', async () => (await kycReplicas()) === 1, 60_000, 500);

    // The pod's usage through the aggregated Resource metrics API, as the HPA controller reads it.
    const selector = encodeURIComponent(SELECTOR);
    const metrics = await eventually(
      'the kyc pod in metrics.k8s.io',
      async () => {
        const list = await getRaw<PodMetricsList>(`/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods?labelSelector=${selector}`);
        return list.items.length === 1 ? list : undefined;
      },
      90_000,
      1000,
    );
    const [container] = metrics.items[0]?.containers ?? [];
    expect(container?.name).toBe('kyc');
    expect(quantityBytes(container?.usage.memory ?? '')).toBe(32 * 1024 * 1024);
    const idle = await eventually(
      'the HPA to read the idle CPU',
      cpuWhere((v) => v < 50),
      90_000,
      1000,
    );
    expect(idle.cpu).toBeLessThan(50);

    await usage.set(BUSY);
    const started = Date.now();
    const busy = await eventually(
      'the HPA to read CPU above its target',
      cpuWhere((v) => v > 100),
      90_000,
      1000,
    );
    expect(busy.cpu).toBeGreaterThan(100);
    await eventually('kyc to scale out to 4 (max)', async () => (await kycReplicas()) === 4, 120_000, 1000);
    process.stderr.write(`CPU ${busy.cpu} % of requests → 4 replicas after ${Math.round((Date.now() - started) / 1000)} s\n`);
    const scaledOut = await hpa();
    expect(scaledOut?.status?.desiredReplicas).toBe(4);

    await usage.set(IDLE);
    const idled = Date.now();
    await eventually('kyc to scale back in to 1', async () => (await kycReplicas()) === 1, 180_000, 1000);
    process.stderr.write(`CPU back under target → 1 replica after ${Math.round((Date.now() - idled) / 1000)} s\n`);
    expect(await hpaCpu()).toBeLessThan(50);
  }, 480_000);
});
