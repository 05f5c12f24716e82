// A metric source that keeps failing holds the component at the fallback replica count (the
// external metric reports fallback × target, as KEDA does) with ScalingDegraded=True and an Event;
// when it answers again, normal scaling resumes and the condition clears.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import {
  eventReasons,
  hpaTargetReplicas,
  startFakePrometheus,
  startScalingOperator,
  type FakePrometheus,
  type ScalingHarness,
} from './support.js';

const client = testClient();
const NAME = 'fallback';
let namespace: string;
let harness: ScalingHarness;
let prometheus: FakePrometheus;

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'scaling-fallback');
  prometheus = await startFakePrometheus();
  harness = await startScalingOperator(client, namespace, { prometheusUrl: prometheus.url });
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  await prometheus?.close();
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
}, 60_000);

const condition = async (type: string): Promise<{ status: string; reason: string; message: string } | undefined> =>
  (await getPlatform(client, namespace, NAME))?.status?.conditions?.find((c) => c.type === type);

describe('fallback after consecutive metric failures', () => {
  it('holds kyc at the fallback replicas while Prometheus fails, then scales normally once it answers', async () => {
    prometheus.answer = { value: 5 };
    const platform = developmentPlatform(namespace, NAME);
    platform.spec.components = {
      kyc: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 5, scaleDownStabilizationSeconds: 0 } },
    };
    platform.spec.autoscaling = {
      enabled: false,
      resourceMetrics: false,
      metrics: { requestRate: { targetPerReplica: 10, components: ['kyc'] } },
      fallback: { failureThreshold: 2, replicas: 3 },
    };
    await client.create(PLATFORM, namespace, platform);
    await eventually(
      'the status to show 5 rps read from Prometheus',
      async () => {
        const kyc = (await getPlatform(client, namespace, NAME))?.status?.scaling?.kyc;
        return kyc?.metrics?.[0]?.value === '5';
      },
      90_000,
      1000,
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
    const status = await eventually(
      'the status to show the fallback',
      async () => {
        const kyc = (await getPlatform(client, namespace, NAME))?.status?.scaling?.kyc;
        return kyc?.fallback ? kyc : undefined;
      },
      60_000,
      1000,
    );
    expect(status.reason).toMatch(/^http-requests-per-second failed \d+ times → fallback 3/);
    expect(await eventReasons(client, namespace)).toEqual(expect.arrayContaining(['MetricSourceFailed', 'FallbackActive']));

    prometheus.answer = { value: 5 };
    await eventually('ScalingDegraded=False again', async () => (await condition('ScalingDegraded'))?.status === 'False', 60_000, 1000);
    await eventually('kyc back at 1 replica', async () => (await hpaTargetReplicas(client, namespace, `${NAME}-kyc`)) === 1, 150_000, 1000);
    expect(await eventReasons(client, namespace)).toContain('MetricSourceRecovered');
    expect((await getPlatform(client, namespace, NAME))?.status?.scaling?.kyc?.reason).toBe('request rate 5 rps / 10 rps per pod → 1');
  }, 400_000);
});
