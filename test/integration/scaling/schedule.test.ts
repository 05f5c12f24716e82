// A business-hours window (Asia/Kolkata, test clock) raises the kyc HPA's minReplicas while it is
// open, and the real HPA controller scales the Deployment up to it; leaving the window lowers it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import {
  createNamespace,
  deleteNamespace,
  developmentPlatform,
  getPlatform,
  installCrd,
  PLATFORM,
  testClient,
} from '../operator/support.js';
import { eventually } from '../../support/env.js';
import { HPA, hpaTargetReplicas, startFakePrometheus, startScalingOperator, type FakePrometheus, type ScalingHarness } from './support.js';

const client = testClient();
const NAME = 'hours';
let namespace: string;
let harness: ScalingHarness;
let prometheus: FakePrometheus;
// Thursday 2026-11-26 08:00 IST; the test moves it.
let clock = new Date('2026-11-26T02:30:00Z').getTime();
let clockSetAt = Date.now();
const now = (): Date => new Date(clock + (Date.now() - clockSetAt));
const setClock = (iso: string): void => {
  clock = new Date(iso).getTime();
  clockSetAt = Date.now();
};

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'scaling-hours');
  prometheus = await startFakePrometheus();
  harness = await startScalingOperator(client, namespace, { prometheusUrl: prometheus.url, now });
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  await prometheus?.close();
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
}, 60_000);

const hpaMin = async (): Promise<number | undefined> =>
  (await client.get<KubeResource & { spec: { minReplicas: number } }>(HPA, namespace, `${NAME}-kyc`))?.spec.minReplicas;

describe('business-hours schedule', () => {
  it('raises the floor inside the window and lowers it after, in the schedule time zone', async () => {
    prometheus.answer = { value: 0 };
    const platform = developmentPlatform(namespace, NAME);
    platform.spec.components = {
      kyc: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 6, scaleDownStabilizationSeconds: 0 } },
    };
    platform.spec.autoscaling = {
      enabled: false,
      resourceMetrics: false,
      metrics: { requestRate: { targetPerReplica: 10, components: ['kyc'] } },
      schedules: [
        {
          name: 'business-hours',
          timezone: 'Asia/Kolkata',
          days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
          start: '09:00',
          end: '18:00',
          minReplicas: 4,
          components: ['kyc'],
        },
      ],
    };
    await client.create(PLATFORM, namespace, platform);
    await eventually('the kyc HPA at min 1 before 09:00 IST', async () => (await hpaMin()) === 1, 60_000, 500);

    setClock('2026-11-26T03:30:30Z'); // 09:00:30 IST
    harness.operator.resync();
    await eventually('the kyc HPA at min 4 inside the window', async () => (await hpaMin()) === 4, 60_000, 500);
    await eventually(
      'kyc scaled up to 4 by the HPA controller',
      async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 4,
      90_000,
      1000,
    );
    const open = await eventually(
      'the status to name the window',
      async () => {
        const kyc = (await getPlatform(client, namespace, NAME))?.status?.scaling?.kyc;
        return kyc?.reason?.includes('business-hours window active → min 4') ? kyc : undefined;
      },
      60_000,
      1000,
    );
    expect(open.minReplicas).toBe(4);

    setClock('2026-11-26T12:30:30Z'); // 18:00:30 IST
    harness.operator.resync();
    await eventually('the kyc HPA back at min 1', async () => (await hpaMin()) === 1, 60_000, 500);
    await eventually('kyc scaled down to 1', async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 1, 90_000, 1000);
  }, 400_000);
});
