// Kafka consumer lag drives the real kube-controller-manager HPA controller through the operator's
// external metrics API: 10 000 unconsumed messages scale the kyc Deployment out; committing the group
// to the end scales it back in after the (test-shortened) stabilisation window. The operator is given no
// Kafka: each platform's lag is read from the brokers its own spec.dependencies.kafka Secret names. A
// second platform whose Secret is missing, then points at a closed port, fails and falls back alone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import {
  createNamespace,
  deleteNamespace,
  developmentPlatform,
  DEPLOYMENT,
  getPlatform,
  installCrd,
  PLATFORM,
  testClient,
} from '../operator/support.js';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';
import { freePort } from '../../support/processes.js';
import { createLogger, ensureTopics } from '../../../workloads/shared/index.js';
import {
  createKafkaSecret,
  getRaw,
  HPA,
  hpaTargetReplicas,
  kafkaAdmin,
  produce,
  startScalingOperator,
  type ScalingHarness,
} from './support.js';

const client = testClient();
const NAME = 'lag';
const BROKEN = 'closed';
let namespace: string;
let harness: ScalingHarness;
let kafka: Kafka;
let admin: Admin;
const topic = `scaling-lag-${uniqueSuffix()}`;
const group = `${topic}-group`;

interface HpaResource extends KubeResource {
  spec: { minReplicas: number; maxReplicas: number; scaleTargetRef: { name: string }; metrics: unknown[] };
  status?: { currentReplicas?: number; desiredReplicas?: number };
}

async function kycReplicas(): Promise<number> {
  const hpa = await client.get<HpaResource>(HPA, namespace, `${NAME}-kyc`);
  if (!hpa) return 0;
  const deployment = await client.get<KubeResource & { spec?: { replicas?: number } }>(DEPLOYMENT, namespace, hpa.spec.scaleTargetRef.name);
  return deployment?.spec?.replicas ?? 0;
}

const degraded = async (name: string): Promise<{ status: string; reason: string; message: string } | undefined> =>
  (await getPlatform(client, namespace, name))?.status?.conditions?.find((c) => c.type === 'ScalingDegraded');

beforeAll(async () => {
  await installCrd(client);
  namespace = await createNamespace(client, 'scaling-lag');
  ({ kafka, admin } = await kafkaAdmin());
  await ensureTopics(kafka, [topic], createLogger({ component: 'scaling-lag-test', level: 'silent' }), 4);
  harness = await startScalingOperator(client, namespace);
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin?.deleteGroups([group]).catch(() => undefined);
  await admin?.disconnect();
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
}, 60_000);

describe('queue-lag autoscaling of kyc', () => {
  it('scales kyc out when 10 000 messages wait in its own Kafka for a stopped consumer group, and back in once they are consumed; a platform without a usable Kafka falls back alone', async () => {
    // The brokers under a key of the platform's choosing (secretRef.key), as any dependency Secret.
    await createKafkaSecret(client, namespace, `${NAME}-kafka`, 'bootstrap', requireEnv('KAFKA_BROKERS'));
    const platform = developmentPlatform(namespace, NAME);
    platform.spec.dependencies = { ...platform.spec.dependencies, kafka: { secretRef: { name: `${NAME}-kafka`, key: 'bootstrap' } } };
    platform.spec.components = {
      kyc: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 5, scaleDownStabilizationSeconds: 0 } },
    };
    platform.spec.autoscaling = {
      enabled: false,
      resourceMetrics: false,
      metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'], consumerGroup: group, topics: [topic] } },
    };
    await client.create(PLATFORM, namespace, platform);

    const broken = developmentPlatform(namespace, BROKEN);
    broken.spec.dependencies = { ...broken.spec.dependencies, kafka: { secretRef: { name: `${BROKEN}-kafka` } } };
    broken.spec.components = { kyc: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 5, scaleDownStabilizationSeconds: 0 } } };
    broken.spec.autoscaling = {
      enabled: false,
      resourceMetrics: false,
      metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'], consumerGroup: `${group}-closed`, topics: [topic] } },
      fallback: { failureThreshold: 2, replicas: 3 },
    };
    await client.create(PLATFORM, namespace, broken);
    const missing = await eventually(
      'ScalingDegraded of the platform whose Kafka Secret is missing',
      async () => {
        const c = await degraded(BROKEN);
        return c?.status === 'True' && c.message.includes('does not exist') ? c : undefined;
      },
      90_000,
      1000,
    );
    expect(missing.message).toContain(
      `no Kafka brokers: Secret ${namespace}/${BROKEN}-kafka (spec.dependencies.kafka.secretRef) does not exist`,
    );
    // The Secret appears, naming a port nothing listens on: the next read (within 60 s, the last one failed) finds it and fails on Kafka.
    await createKafkaSecret(client, namespace, `${BROKEN}-kafka`, 'brokers', `127.0.0.1:${await freePort()}`);
    const refused = await eventually(
      'the closed port to be the reason now',
      async () => {
        const c = await degraded(BROKEN);
        return c?.status === 'True' && c.message.includes('kafka lag of group') ? c : undefined;
      },
      90_000,
      1000,
    );
    expect(refused.reason).toBe('FallbackActive');
    expect(refused.message).not.toContain('does not exist');

    const hpa = await eventually('the kyc HPA with the external lag metric', async () => {
      const live = await client.get<HpaResource>(HPA, namespace, `${NAME}-kyc`);
      return live && live.spec.metrics.length === 1 ? live : undefined;
    });
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'External',
        external: {
          metric: { name: 'kafka-consumer-lag', selector: { matchLabels: { 'kyc.dev/platform': NAME, 'kyc.dev/component': 'kyc' } } },
          target: { type: 'AverageValue', averageValue: '100' },
        },
      },
    ]);
    await eventually('kyc at 1 replica', async () => (await kycReplicas()) === 1, 60_000, 500);

    await produce(kafka, topic, 10_000);
    const selector = encodeURIComponent(`kyc.dev/platform=${NAME},kyc.dev/component=kyc`);
    const listed = await eventually(
      'the lag through the aggregated API',
      async () => {
        const list = await getRaw<{ items: { value: string; metricName: string }[] }>(
          `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/kafka-consumer-lag?labelSelector=${selector}`,
        );
        return list.items[0]?.value === '10000' ? list : undefined;
      },
      30_000,
      1000,
    );
    expect(listed.items[0]?.metricName).toBe('kafka-consumer-lag');

    const started = Date.now();
    await eventually('kyc to scale out to 5 (max)', async () => (await kycReplicas()) === 5, 120_000, 1000);
    process.stderr.write(`lag 10000 → 5 replicas after ${Math.round((Date.now() - started) / 1000)} s\n`);
    const scaledOut = await eventually(
      'the scaling status to explain it',
      async () => {
        const live = await getPlatform(client, namespace, NAME);
        const kyc = live?.status?.scaling?.kyc;
        return kyc?.reason?.startsWith('kafka lag 10000 / 100 per pod → 5 (max)') && kyc.currentReplicas === 5 ? live : undefined;
      },
      90_000,
      1000,
    );
    expect(scaledOut.status?.scaling?.kyc?.metrics?.[0]).toMatchObject({
      name: 'kafka-consumer-lag',
      value: '10000',
      target: '100 per pod',
      replicas: 5,
    });
    expect(scaledOut.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status).toBe('True');
    expect(scaledOut.status?.conditions?.find((c) => c.type === 'ScalingDegraded')?.status).toBe('False');
    // Meanwhile the other platform holds its fallback, on its own.
    await eventually(
      'the other kyc held at its 3 fallback replicas',
      async () => (await hpaTargetReplicas(client, namespace, `${BROKEN}-kyc`)) === 3,
      60_000,
      1000,
    );
    expect((await degraded(BROKEN))?.reason).toBe('FallbackActive');

    // The consumer catches up: its committed offsets reach the end of every partition.
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId: group, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    await eventually('kyc to scale back in to 1', async () => (await kycReplicas()) === 1, 120_000, 1000);
  }, 400_000);
});
