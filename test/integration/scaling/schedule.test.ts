// A business-hours window (Asia/Kolkata, test clock) raises the kyc HPA's minReplicas while it is
// open, and the real HPA controller scales the Deployment up to it; leaving the window lowers it.
import { describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { PLATFORM, testClient } from '../operator/support.js';
import { eventually } from '../../support/env.js';
import { HPA, hpaTargetReplicas, kycScalingWhen, requestRatePlatform, withPrometheusScaling } from './support.js';

const client = testClient();
const NAME = 'hours';
// Thursday 2026-11-26 08:00 IST; the test moves it.
let clock = new Date('2026-11-26T02:30:00Z').getTime();
let clockSetAt = Date.now();
const now = (): Date => new Date(clock + (Date.now() - clockSetAt));
const setClock = (iso: string): void => {
  clock = new Date(iso).getTime();
  clockSetAt = Date.now();
};
const suite = withPrometheusScaling(client, 'scaling-hours', { now });

const hpaMin = async (): Promise<number | undefined> =>
  (await client.get<KubeResource & { spec: { minReplicas: number } }>(HPA, suite.namespace, `${NAME}-kyc`))?.spec.minReplicas;

describe('business-hours schedule', () => {
  it('raises the floor inside the window and lowers it after, in the schedule time zone', async () => {
    const { namespace, harness, prometheus } = suite;
    prometheus.answer = { value: 0 };
    const platform = requestRatePlatform(namespace, NAME, 6, {
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
    });
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
    const open = await kycScalingWhen(client, namespace, NAME, 'the status to name the window', (kyc) =>
      Boolean(kyc.reason?.includes('business-hours window active → min 4')),
    );
    expect(open.minReplicas).toBe(4);

    setClock('2026-11-26T12:30:30Z'); // 18:00:30 IST
    harness.operator.resync();
    await eventually('the kyc HPA back at min 1', async () => (await hpaMin()) === 1, 60_000, 500);
    await eventually('kyc scaled down to 1', async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 1, 90_000, 1000);
  }, 400_000);
});
