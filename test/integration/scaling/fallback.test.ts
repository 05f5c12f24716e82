// A metric source that keeps failing holds the component at the fallback replica count (the
// external metric reports fallback × target, as KEDA does) with ScalingDegraded=True and an Event;
// when it answers again, normal scaling resumes and the condition clears.
import { describe, expect, it } from '@jest/globals';
import { getPlatform, PLATFORM, testClient } from '../operator/support.js';
import { eventually } from '../../support/env.js';
import { eventReasons, hpaTargetReplicas, kycScalingWhen, requestRatePlatform, withPrometheusScaling } from './support.js';

const client = testClient();
const NAME = 'fallback';
const suite = withPrometheusScaling(client, 'scaling-fallback');

const condition = async (type: string): Promise<{ status: string; reason: string; message: string } | undefined> =>
  (await getPlatform(client, suite.namespace, NAME))?.status?.conditions?.find((c) => c.type === type);

describe('fallback after consecutive metric failures', () => {
  it('holds kyc at the fallback replicas while Prometheus fails, then scales normally once it answers', async () => {
    const { namespace, prometheus } = suite;
    prometheus.answer = { value: 5 };
    const platform = requestRatePlatform(namespace, NAME, 5, { fallback: { failureThreshold: 2, replicas: 3 } });
    await client.create(PLATFORM, namespace, platform);
    await kycScalingWhen(
      client,
      namespace,
      NAME,
      'the status to show 5 rps read from Prometheus',
      (kyc) => kyc.metrics?.[0]?.value === '5',
      90_000,
    );
    await eventually(
      'kyc at 1 replica on 5 rps / 10 per pod',
      async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 1,
      90_000,
      1000,
    );
    expect(prometheus.queries.at(-1)).toBe(
      `sum(rate(kyc_http_requests_total{namespace="${namespace}",component="kyc",platform="${NAME}"}[1m]))`,
    );

    prometheus.answer = { status: 503 };
    const degraded = await eventually(
      'ScalingDegraded=True (FallbackActive)',
      async () => {
        const c = await condition('ScalingDegraded');
        return c?.status === 'True' && c.reason === 'FallbackActive' ? c : undefined;
      },
      60_000,
      1000,
    );
    expect(degraded.message).toContain('fallback replicas in force for kyc');
    await eventually(
      'kyc held at the 3 fallback replicas',
      async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 3,
      150_000,
      1000,
    );
    const status = await kycScalingWhen(client, namespace, NAME, 'the status to show the fallback', (kyc) => Boolean(kyc.fallback));
    expect(status.reason).toMatch(/^http-requests-per-second failed \d+ times → fallback 3/);
    expect(await eventReasons(client, namespace)).toEqual(expect.arrayContaining(['MetricSourceFailed', 'FallbackActive']));

    prometheus.answer = { value: 5 };
    await eventually('ScalingDegraded=False again', async () => (await condition('ScalingDegraded'))?.status === 'False', 60_000, 1000);
    await eventually('kyc back at 1 replica', async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 1, 150_000, 1000);
    expect(await eventReasons(client, namespace)).toContain('MetricSourceRecovered');
    expect((await getPlatform(client, namespace, NAME))?.status?.scaling?.kyc?.reason).toBe('request rate 5 rps / 10 rps per pod → 1');
  }, 400_000);
});
