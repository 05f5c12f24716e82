// Living beside KEDA (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"), against the local
// API server with a real KEDA: its operator and its metrics API server (hack/deps/keda.sh builds both from
// the Go module proxy) run in child processes, out of the cluster, watching only the suite's namespace,
// with KEDA's own CRDs. KEDA's metrics server holds the APIService v1beta1.external.metrics.k8s.io for the
// suite (the one before it, if any, is given back after), so:
// - the operator leaves the APIService as it is, and a builtin platform with custom metrics gets
//   ScalingDegraded ExternalMetricsOwnedElsewhere naming KEDA's Service, and an Event;
// - a provider keda platform gets ScaledObjects that KEDA's CRD schema accepts and KEDA turns into its
//   own HPAs (keda-hpa-<name>), and no HPA of the operator;
// - Kafka lag read by KEDA's kafka scaler from the platform's own Kafka scales kyc out through the real
//   kube-controller-manager HPA controller, and back in once consumed;
// - back to builtin, the ScaledObjects go (KEDA's finalizer removes its HPAs) and the operator's HPAs return.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import * as yaml from 'js-yaml';
import { issueCa, issueLeaf } from '../../../operator/src/api/x509.js';
import { startManager } from '../../../operator/src/manager.js';
import { APISERVICE, APISERVICE_NAME } from '../../../operator/src/metrics-api/registration.js';
import { SCALED_OBJECT_TYPE, TRIGGER_AUTHENTICATION_TYPE } from '../../../operator/src/reconcile/keda.js';
import { CRD } from '../../../operator/src/reconcile/optional-kind.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeClient, KubeResource } from '../../../operator/src/runtime/kube.js';
import { createLogger, ensureTopics } from '../../../workloads/shared/index.js';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';
import { freePort, stopProcess } from '../../support/processes.js';
import { createKafkaSecret, ENDPOINTS, getRaw, giveBackApiService, hostAddress, kafkaAdmin, produce, SECRET } from '../scaling/support.js';
import {
  DEPLOYMENT,
  developmentPlatform,
  getPlatform,
  OWNED_TYPES,
  PLATFORM,
  SERVICE,
  testOperatorConfig,
  testOperatorLogger,
  withTestOperator,
} from './support.js';

const HPA = OWNED_TYPES.find((t) => t.kind === 'HorizontalPodAutoscaler') as NonNullable<(typeof OWNED_TYPES)[number]>;
/** KEDA's metrics server as the aggregator knows it (the name KEDA's own manifests give it). */
const KEDA_SERVICE = 'keda-metrics-apiserver';
const HOUR_MS = 3_600_000;
type ApiService = KubeResource & { spec?: { service?: { namespace?: string; name?: string } } & Record<string, unknown> };
type Condition = { type: string; status: string; reason?: string; message?: string };
type ScaledObject = KubeResource & {
  spec: { triggers: { type: string; metadata: Record<string, string> }[]; minReplicaCount: number; maxReplicaCount: number };
  status?: { conditions?: Condition[]; hpaName?: string; externalMetricNames?: string[] };
};
type Hpa = KubeResource & {
  spec: {
    minReplicas: number;
    maxReplicas: number;
    scaleTargetRef: { name: string };
    metrics: { type: string; external?: { metric: { name: string } } }[];
  };
};

// Built if missing (the background prebuild of `make test` usually has; a cold build took 35 min on 2 busy cores).
const kedaDir = execFileSync(new URL('../../../hack/deps/keda.sh', import.meta.url).pathname, {
  encoding: 'utf8',
  timeout: 2_700_000,
}).trim();

interface Keda {
  processes: { name: string; child: ChildProcess; log: string }[];
  certDir: string;
  previous: ApiService | undefined;
}
let keda: Keda | undefined;

/** What KEDA's processes said last, for a failure message. */
function kedaLogs(): string {
  return (keda?.processes ?? []).map((p) => `--- ${p.name} (exit ${String(p.child.exitCode)}):\n${p.log.slice(-4000)}`).join('\n');
}

/**
 * KEDA's CRDs, then its operator and metrics server watching `namespace`, with one certificate (server
 * and client, signed by a CA of the suite) for the gRPC link between them and the metrics server's TLS,
 * and the APIService pointed at the metrics server (a Service in `namespace` whose Endpoints are this host).
 */
async function startKeda(client: KubeClient, namespace: string): Promise<void> {
  const crdDir = `${kedaDir}/crds`;
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
    for (const crd of yaml.loadAll(readFileSync(`${crdDir}/${file}`, 'utf8')) as KubeResource[]) {
      if (crd) await client.apply(CRD, crd, 'kyc-operator-tests');
    }
  }
  await eventually('ScaledObjects to be served', async () =>
    (await client.list(SCALED_OBJECT_TYPE, namespace).then(
      () => true,
      () => false,
    ))
      ? true
      : undefined,
  );

  const now = Date.now();
  const validity = { notBefore: new Date(now - HOUR_MS), notAfter: new Date(now + 24 * HOUR_MS) };
  const ca = issueCa('keda-test-ca', validity);
  const leaf = issueLeaf(ca, {
    ...validity,
    commonName: KEDA_SERVICE,
    subjectAltNames: ['localhost', '127.0.0.1', hostAddress(), `${KEDA_SERVICE}.${namespace}.svc`],
    usages: ['server', 'client'],
  });
  const certDir = mkdtempSync(join(tmpdir(), 'kyc-keda-'));
  writeFileSync(join(certDir, 'ca.crt'), ca.cert);
  writeFileSync(join(certDir, 'tls.crt'), leaf.cert);
  writeFileSync(join(certDir, 'tls.key'), leaf.key, { mode: 0o600 });

  const previous = await client.get<ApiService>(APISERVICE, '', APISERVICE_NAME);
  keda = { processes: [], certDir, previous };
  const kubeconfig = requireEnv('KUBECONFIG');
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    WATCH_NAMESPACE: namespace,
    POD_NAMESPACE: namespace,
    KEDA_CLUSTER_OBJECT_NAMESPACE: namespace,
  };
  const grpc = `127.0.0.1:${await freePort()}`;
  const securePort = await freePort('0.0.0.0');
  const run = (name: string, binary: string, args: string[]): void => {
    const child = spawn(`${kedaDir}/bin/${binary}`, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { name, child, log: '' };
    const keep = (chunk: Buffer): void => {
      entry.log = (entry.log + chunk.toString()).slice(-40_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    keda?.processes.push(entry);
  };
  run('keda-operator', 'keda-operator', [
    '--leader-elect=false',
    '--metrics-bind-address=0',
    '--health-probe-bind-address=0',
    `--metrics-service-bind-address=${grpc}`,
    `--cert-dir=${certDir}`,
    `--ca-dir=${certDir}`,
    '--enable-cert-rotation=false',
    '--enable-webhook-patching=false',
    '--enable-apiservice-patching=false',
    '--zap-log-level=info',
  ]);
  run('keda-metrics-apiserver', 'keda-adapter', [
    `--secure-port=${securePort}`,
    `--port=${await freePort()}`,
    `--tls-cert-file=${certDir}/tls.crt`,
    `--tls-private-key-file=${certDir}/tls.key`,
    `--cert-dir=${certDir}`,
    `--metrics-service-address=${grpc}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--lister-kubeconfig=${kubeconfig}`,
    '--zap-log-level=info',
  ]);

  await client.create(SERVICE, namespace, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: KEDA_SERVICE, namespace },
    spec: { ports: [{ name: 'https', port: 443, targetPort: securePort, protocol: 'TCP' }] },
  });
  await client.create(ENDPOINTS, namespace, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: KEDA_SERVICE, namespace },
    subsets: [{ addresses: [{ ip: hostAddress() }], ports: [{ name: 'https', port: securePort, protocol: 'TCP' }] }],
  });
  const spec = {
    group: 'external.metrics.k8s.io',
    version: 'v1beta1',
    service: { namespace, name: KEDA_SERVICE, port: 443 },
    caBundle: Buffer.from(ca.cert).toString('base64'),
    groupPriorityMinimum: 100,
    versionPriority: 100,
  };
  const metadata = { name: APISERVICE_NAME, labels: { 'kyc.dev/test': 'keda' } };
  if (previous) {
    await client.replace(APISERVICE, {
      apiVersion: APISERVICE.apiVersion,
      kind: APISERVICE.kind,
      metadata: { ...metadata, resourceVersion: previous.metadata.resourceVersion },
      spec,
    });
  } else {
    await client.create(APISERVICE, '', { apiVersion: APISERVICE.apiVersion, kind: APISERVICE.kind, metadata, spec });
  }
  await eventually(
    "KEDA's metrics server to be Available behind the APIService",
    async () => {
      for (const p of keda?.processes ?? []) if (p.child.exitCode !== null) throw new Error(`${p.name} exited\n${kedaLogs()}`);
      const live = await client.get<ApiService & { status?: { conditions?: Condition[] } }>(APISERVICE, '', APISERVICE_NAME);
      return (
        live?.spec?.service?.name === KEDA_SERVICE && live.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')
      );
    },
    120_000,
    500,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${kedaLogs()}`);
  });
}

/** The ScaledObjects go while KEDA still runs (its finalizer), the APIService is given back, KEDA stops. */
async function stopKeda(client: KubeClient, namespace: string): Promise<void> {
  if (!keda) return;
  for (const name of ['builtin', 'viakeda', 'lag', 'sasl']) await client.delete(PLATFORM, namespace, name).catch(() => undefined);
  await eventually(
    'the ScaledObjects to be gone',
    async () => ((await client.list(SCALED_OBJECT_TYPE, namespace)).items.length === 0 ? true : undefined),
    30_000,
    500,
  ).catch(async () => {
    // KEDA did not finish them: drop its finalizer so that the namespace can go.
    for (const so of (await client.list(SCALED_OBJECT_TYPE, namespace)).items)
      await client.mergePatch(SCALED_OBJECT_TYPE, namespace, so.metadata.name, { metadata: { finalizers: null } });
  });
  await giveBackApiService(client, keda.previous, (current) => current.metadata.labels?.['kyc.dev/test'] === 'keda');
  for (const { child } of keda.processes) await stopProcess(child);
  rmSync(keda.certDir, { recursive: true, force: true });
  keda = undefined;
}

let kafka: Kafka | undefined;
let admin: Admin | undefined;
const topic = `keda-lag-${uniqueSuffix()}`;
const group = `${topic}-group`;

const suite = withTestOperator('op-keda', {
  start: async (namespace) => {
    await startKeda(suite.client, namespace);
    ({ kafka, admin } = await kafkaAdmin());
    await ensureTopics(kafka, [topic], createLogger({ component: 'keda-test', level: 'silent' }), 4);
    // The operator's own external metrics Service is another one: it must see KEDA's as someone else's.
    return startManager(
      testOperatorConfig(
        { namespace },
        {
          EXTERNAL_METRICS_SERVICE: `${namespace}/kyc-operator-external-metrics`,
          EXTERNAL_METRICS_PORT: '0',
          EXTERNAL_METRICS_HOST: '127.0.0.1',
        },
      ),
      { logger: testOperatorLogger() },
    );
  },
  beforeStop: async () => {
    try {
      await stopKeda(suite.client, suite.namespace);
    } finally {
      await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin?.deleteGroups([group]).catch(() => undefined);
      await admin?.disconnect();
    }
  },
});

/** The development sample, autoscaled (1-3 replicas), with a Kafka-lag metric and a window open now. */
function autoscaledPlatform(name: string, provider: 'builtin' | 'keda'): PlatformResource {
  const platform = developmentPlatform(suite.namespace, name);
  const hour = new Date().getUTCHours();
  const clock = (h: number): string => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  return {
    ...platform,
    spec: {
      ...platform.spec,
      autoscaling: {
        enabled: true,
        minReplicas: 1,
        maxReplicas: 3,
        provider,
        metrics: { queueLag: { targetLagPerReplica: 100 } },
        // Open from an hour ago to two hours ahead (every day, UTC): KEDA's cron trigger asks for 2.
        schedules: [{ name: 'business-hours', timezone: 'UTC', start: clock(hour - 1), end: clock(hour + 2), minReplicas: 2 }],
      },
    },
  };
}

async function eventsOf(platform: string, reason: string): Promise<string[]> {
  const { items } = await suite.client.list<KubeResource & { reason?: string; message?: string; involvedObject?: { name?: string } }>(
    EVENT,
    suite.namespace,
  );
  return items.filter((e) => e.reason === reason && e.involvedObject?.name === platform).map((e) => e.message ?? '');
}

async function replicas(deployment: string): Promise<number> {
  const live = await suite.client.get<KubeResource & { spec?: { replicas?: number } }>(DEPLOYMENT, suite.namespace, deployment);
  return live?.spec?.replicas ?? 0;
}

type EnvSource = { secretKeyRef?: { name: string; key: string } };
type PodDeployment = KubeResource & {
  spec: { template: { spec: { containers: { env?: { valueFrom?: EnvSource }[]; envFrom?: { secretRef?: { name: string } }[] }[] } } };
};

/**
 * KEDA resolves the whole environment of a ScaledObject's container (for bootstrapServersFromEnv) and
 * gives up on a Secret or key it cannot find, as the kubelet would. The pods here are KWOK's and need no
 * real values: every Secret key the platform's containers read is given a placeholder, unless the suite
 * set it (the Kafka brokers, the CA, the lag reader).
 */
async function provideEnvSecrets(platform: string): Promise<void> {
  const deployments = await eventually(`the Deployments of ${platform}`, async () => {
    const { items } = await suite.client.list<PodDeployment>(DEPLOYMENT, suite.namespace, {
      labelSelector: `app.kubernetes.io/instance=${platform}`,
    });
    return items.length > 0 ? items : undefined;
  });
  const wanted = new Map<string, Set<string>>();
  for (const container of deployments.flatMap((d) => d.spec.template.spec.containers)) {
    for (const ref of (container.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter((r) => r !== undefined)) {
      wanted.set(ref.name, (wanted.get(ref.name) ?? new Set()).add(ref.key));
    }
    for (const name of (container.envFrom ?? []).map((e) => e.secretRef?.name).filter((n) => n !== undefined)) {
      wanted.set(name, wanted.get(name) ?? new Set());
    }
  }
  for (const [name, keys] of wanted) {
    const live = await suite.client.get<KubeResource & { data?: Record<string, string> }>(SECRET, suite.namespace, name);
    const missing = [...keys].filter((k) => live?.data?.[k] === undefined);
    const stringData = Object.fromEntries(missing.map((k) => [k, 'placeholder']));
    if (!live) {
      await suite.client.create(SECRET, suite.namespace, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: suite.namespace },
        stringData,
      });
    } else if (missing.length > 0) {
      await suite.client.mergePatch(SECRET, suite.namespace, name, { stringData });
    }
  }
}

/** A provider keda platform whose kyc alone scales (1-3, no scale-down window) on the lag of `group` on `topic`. */
async function createLagPlatform(
  name: string,
  kafka: NonNullable<PlatformResource['spec']['dependencies']>['kafka'],
  group: string,
  topic: string,
): Promise<void> {
  const platform = developmentPlatform(suite.namespace, name);
  platform.spec.dependencies = { ...platform.spec.dependencies, kafka };
  platform.spec.components = { kyc: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3, scaleDownStabilizationSeconds: 0 } } };
  platform.spec.autoscaling = {
    enabled: false,
    provider: 'keda',
    resourceMetrics: false,
    metrics: { queueLag: { targetLagPerReplica: 100, components: ['kyc'], consumerGroup: group, topics: [topic] } },
  };
  await suite.client.create(PLATFORM, suite.namespace, platform);
  await provideEnvSecrets(name);
}

/** What KEDA's metrics server answers, through the aggregator, for `metric` of `scaledObject` (undefined: no answer yet). */
async function kedaMetric(scaledObject: string, metric: string): Promise<{ items: { value: string }[] } | undefined> {
  const selector = encodeURIComponent(`scaledobject.keda.sh/name=${scaledObject}`);
  return getRaw<{ items: { value: string }[] }>(
    `/apis/external.metrics.k8s.io/v1beta1/namespaces/${suite.namespace}/${metric}?labelSelector=${selector}`,
  ).catch(() => undefined);
}

/** Waits until KEDA's metrics server answers `value` for the lag of `topic` on `scaledObject`. */
async function kedaLag(scaledObject: string, topic: string, value: string): Promise<void> {
  // KEDA's metric name: s<trigger index>-kafka-<topic>, normalised (dots become dashes).
  const metric = `s0-kafka-${topic.replace(/\./g, '-')}`;
  await eventually(
    `the lag of ${topic} at ${value} through KEDA's metrics server`,
    async () => {
      const list = await kedaMetric(scaledObject, metric);
      return list?.items.length === 1 && list.items[0]?.value === value ? true : undefined;
    },
    90_000,
    1000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${kedaLogs()}`);
  });
}

/** KEDA's HPA for a ScaledObject, once KEDA has made it. */
async function kedaHpa(scaledObject: string): Promise<Hpa> {
  return eventually(
    `KEDA's HPA keda-hpa-${scaledObject}`,
    async () => suite.client.get<Hpa>(HPA, suite.namespace, `keda-hpa-${scaledObject}`),
    90_000,
    500,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${kedaLogs()}`);
  });
}

describe('beside KEDA', () => {
  it("when KEDA's metrics server holds the APIService, then the operator leaves it and the builtin platform says KEDA holds it", async () => {
    const owner = `${suite.namespace}/${KEDA_SERVICE}`;
    await suite.client.create(PLATFORM, suite.namespace, autoscaledPlatform('builtin', 'builtin'));
    const condition = await eventually('ScalingDegraded ExternalMetricsOwnedElsewhere', async () => {
      const c = (await getPlatform(suite.client, suite.namespace, 'builtin'))?.status?.conditions?.find(
        (x) => x.type === 'ScalingDegraded',
      );
      return c?.reason === 'ExternalMetricsOwnedElsewhere' ? c : undefined;
    });
    expect(condition.status).toBe('True');
    expect(condition.message).toContain(`served by ${owner}`);
    const events = await eventually('the ExternalMetricsOwnedElsewhere Event', async () => {
      const found = await eventsOf('builtin', 'ExternalMetricsOwnedElsewhere');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]).toContain(owner);
    const live = await suite.client.get<ApiService>(APISERVICE, '', APISERVICE_NAME);
    expect(`${live?.spec?.service?.namespace ?? ''}/${live?.spec?.service?.name ?? ''}`).toBe(owner);
    await suite.client.delete(PLATFORM, suite.namespace, 'builtin');
  }, 90_000);

  it("with provider keda, then each autoscaled component gets a ScaledObject that KEDA's schema accepts and KEDA turns into its own HPA, and the operator makes none", async () => {
    await suite.client.create(PLATFORM, suite.namespace, autoscaledPlatform('viakeda', 'keda'));
    // The sample's Kafka Secret (samples/secrets-development.yaml, made with the namespace) names the suite's Kafka.
    await suite.client.mergePatch(SECRET, suite.namespace, 'kyc-dev-kafka', { stringData: { brokers: requireEnv('KAFKA_BROKERS') } });
    await provideEnvSecrets('viakeda');
    const scaledObjects = await eventually('six ScaledObjects', async () => {
      const { items } = await suite.client.list<ScaledObject>(SCALED_OBJECT_TYPE, suite.namespace, {
        labelSelector: 'app.kubernetes.io/instance=viakeda',
      });
      return items.length === 6 ? items : undefined;
    });
    const kyc = scaledObjects.find((o) => o.metadata.name === 'viakeda-kyc');
    expect(kyc?.spec.triggers.map((t) => t.type)).toEqual(['cpu', 'memory', 'kafka', 'cron']);
    expect(kyc?.spec.minReplicaCount).toBe(1);
    // The gateway reads no Kafka: CPU, memory and the business-hours window; KEDA's HPA carries them all.
    const gateway = await kedaHpa('viakeda-gateway');
    expect(gateway.spec.scaleTargetRef.name).toBe('viakeda-gateway');
    expect([gateway.spec.minReplicas, gateway.spec.maxReplicas]).toEqual([1, 3]);
    expect(gateway.spec.metrics.map((m) => m.type).sort()).toEqual(['External', 'Resource', 'Resource']);
    const cron = gateway.spec.metrics.find((m) => m.type === 'External')?.external?.metric.name ?? '';
    expect(cron).toMatch(/^s2-cron-UTC-/);
    // KEDA serves the window's metric through the aggregator: the window's 2 replicas while it is open, against a
    // target of 1 per pod, so the HPA controller holds the gateway at 2.
    const metric = await eventually(
      "the cron metric through KEDA's metrics server",
      () => kedaMetric('viakeda-gateway', cron),
      60_000,
      1000,
    );
    expect(metric.items[0]?.value).toBe('2');
    await eventually('the gateway at the window’s 2 replicas', async () => (await replicas('viakeda-gateway')) === 2, 90_000, 1000);
    // KEDA copies the ScaledObject's labels onto its HPAs: every HPA of the platform is KEDA's, none the operator's.
    const hpas = await suite.client.list(HPA, suite.namespace, { labelSelector: 'app.kubernetes.io/instance=viakeda' });
    expect(hpas.items.map((h) => h.metadata.name).filter((n) => !n.startsWith('keda-hpa-'))).toEqual([]);
    const condition = await eventually('a ScalingDegraded condition', async () =>
      (await getPlatform(suite.client, suite.namespace, 'viakeda'))?.status?.conditions?.find((x) => x.type === 'ScalingDegraded'),
    );
    expect(condition.reason).not.toBe('ExternalMetricsOwnedElsewhere');
    expect(condition.reason).not.toBe('KedaNotInstalled');
  }, 240_000);

  it("when messages wait in the platform's Kafka, then KEDA's kafka scaler scales kyc out through the HPA controller, and back in once they are consumed", async () => {
    if (!kafka || !admin) throw new Error('no Kafka client');
    await createKafkaSecret(suite.client, suite.namespace, 'lag-kafka', 'brokers', requireEnv('KAFKA_BROKERS'));
    // The group has committed offset 0 on every partition, as a consumer that stopped before the messages came.
    await admin.setOffsets({ groupId: group, topic, partitions: [0, 1, 2, 3].map((partition) => ({ partition, offset: '0' })) });
    await createLagPlatform('lag', { secretRef: { name: 'lag-kafka' } }, group, topic);
    const hpa = await kedaHpa('lag-kyc');
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'External',
        external: {
          metric: { name: `s0-kafka-${topic}`, selector: { matchLabels: { 'scaledobject.keda.sh/name': 'lag-kyc' } } },
          target: { type: 'AverageValue', averageValue: '100' },
        },
      },
    ]);
    const ready = await eventually(
      'the ScaledObject Ready (its scaler reached Kafka)',
      async () => {
        const so = await suite.client.get<ScaledObject>(SCALED_OBJECT_TYPE, suite.namespace, 'lag-kyc');
        const c = so?.status?.conditions?.find((x) => x.type === 'Ready');
        return c?.status === 'True' ? so : undefined;
      },
      90_000,
      1000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${kedaLogs()}`);
    });
    expect(ready.status?.hpaName).toBe('keda-hpa-lag-kyc');
    await eventually('kyc at 1 replica', async () => (await replicas('lag-kyc')) === 1, 60_000, 500);

    await produce(kafka, topic, 10_000);
    // KEDA caps the lag at partitions × target unless idle consumers are allowed: 4 × 100.
    await kedaLag('lag-kyc', topic, '400');
    const started = Date.now();
    await eventually('kyc to scale out to 3 (max)', async () => (await replicas('lag-kyc')) === 3, 120_000, 1000);
    process.stderr.write(`KEDA: lag 10000 → 3 replicas after ${Math.round((Date.now() - started) / 1000)} s\n`);

    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId: group, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    await eventually('kyc to scale back in to 1', async () => (await replicas('lag-kyc')) === 1, 120_000, 1000);
  }, 420_000);

  it("when the platform's Kafka is SASL_SSL with per-service users, then KEDA reads the lag over TLS as the lag reader, through the platform's TriggerAuthentication", async () => {
    if (!kafka || !admin) throw new Error('no Kafka client');
    // The lag reader may describe the platform's topic families and kyc- groups (hack/deps/kafka-sasl.sh).
    const secureTopic = `kyc.keda-sasl-${uniqueSuffix()}`;
    const secureGroup = `kyc-keda-sasl-${uniqueSuffix()}`;
    await ensureTopics(kafka, [secureTopic], createLogger({ component: 'keda-test', level: 'silent' }), 4);
    try {
      await admin.setOffsets({
        groupId: secureGroup,
        topic: secureTopic,
        partitions: [0, 1, 2, 3].map((partition) => ({ partition, offset: '0' })),
      });
      await suite.client.create(SECRET, suite.namespace, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'sasl-kafka', namespace: suite.namespace },
        type: 'Opaque',
        stringData: {
          brokers: requireEnv('KAFKA_SASL_BROKERS'),
          'ca.crt': readFileSync(requireEnv('DEPS_CA_FILE'), 'utf8'),
          'lag-reader-username': requireEnv('KAFKA_SASL_USERNAME_LAG_READER'),
          'lag-reader-password': requireEnv('KAFKA_SASL_PASSWORD_LAG_READER'),
          ...Object.fromEntries(
            ['kyc', 'notification', 'analytics'].flatMap((c) => [
              [`${c}-username`, requireEnv(`KAFKA_SASL_USERNAME_${c.toUpperCase()}`)],
              [`${c}-password`, requireEnv(`KAFKA_SASL_PASSWORD_${c.toUpperCase()}`)],
            ]),
          ),
        },
      });
      await createLagPlatform(
        'sasl',
        { secretRef: { name: 'sasl-kafka' }, tls: 'Required', credentials: 'PerComponent' },
        secureGroup,
        secureTopic,
      );
      const auth = await eventually('the TriggerAuthentication', async () =>
        suite.client.get<KubeResource & { spec: { secretTargetRef: { parameter: string; key: string }[] } }>(
          TRIGGER_AUTHENTICATION_TYPE,
          suite.namespace,
          'sasl-kafka-lag',
        ),
      );
      expect(auth.spec.secretTargetRef.map((r) => `${r.parameter}=${r.key}`)).toEqual([
        'ca=ca.crt',
        'username=lag-reader-username',
        'password=lag-reader-password',
      ]);
      await produce(kafka, secureTopic, 200);
      await kedaLag('sasl-kyc', secureTopic, '200');
      // The metrics server reads the lag on request; the Ready condition is the KEDA operator's own loop, a
      // little later (one CI run read it Unknown right after the lag was served).
      const ready = await eventually(
        "the ScaledObject sasl-kyc Ready by KEDA's operator",
        async () => {
          const so = await suite.client.get<ScaledObject>(SCALED_OBJECT_TYPE, suite.namespace, 'sasl-kyc');
          const status = so?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
          return status === 'True' ? status : undefined;
        },
        60_000,
        500,
      ).catch(async () => (await suite.client.get<ScaledObject>(SCALED_OBJECT_TYPE, suite.namespace, 'sasl-kyc'))?.status?.conditions);
      expect(ready).toBe('True');
      await eventually('kyc to scale out to 2 (lag 200 / 100 per pod)', async () => (await replicas('sasl-kyc')) === 2, 120_000, 1000);
    } finally {
      await suite.client.delete(PLATFORM, suite.namespace, 'sasl').catch(() => undefined);
      await admin.deleteTopics({ topics: [secureTopic] }).catch(() => undefined);
      await admin.deleteGroups([secureGroup]).catch(() => undefined);
    }
  }, 300_000);

  it('when provider goes back to builtin, then the ScaledObjects and KEDA’s HPAs go and the operator’s HPAs come back', async () => {
    await suite.client.mergePatch(PLATFORM, suite.namespace, 'viakeda', { spec: { autoscaling: { provider: 'builtin' } } });
    await eventually(
      "the ScaledObjects and KEDA's HPAs to go and the operator's to come",
      async () => {
        const selector = { labelSelector: 'app.kubernetes.io/instance=viakeda' };
        const [so, hpas, all] = await Promise.all([
          suite.client.list(SCALED_OBJECT_TYPE, suite.namespace, selector),
          suite.client.list(HPA, suite.namespace, selector),
          suite.client.list(HPA, suite.namespace),
        ]);
        const kedas = all.items.filter((h) => h.metadata.name.startsWith('keda-hpa-viakeda-'));
        const own = hpas.items.filter((h) => h.metadata.name.startsWith('viakeda-'));
        return so.items.length === 0 && own.length === 6 && kedas.length === 0;
      },
      90_000,
      500,
    );
  }, 120_000);
});
