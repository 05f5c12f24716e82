// Helpers for the scaling suites: an operator in this process that serves external.metrics.k8s.io,
// reachable by the kube-apiserver through a selector-less Service whose Endpoints point at this
// host's non-loopback address (Endpoints refuse loopback), and the APIService handed back afterwards.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir, networkInterfaces } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll } from '@jest/globals';
import {
  createNamespace,
  deleteNamespace,
  developmentPlatform,
  getPlatform,
  installCrd,
  testOperatorConfig,
  testOperatorLogger,
} from '../operator/support.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import type { KubeClient, KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';
import { startManager, type RunningOperator } from '../../../operator/src/manager.js';
import { APISERVICE, APISERVICE_NAME } from '../../../operator/src/metrics-api/registration.js';
import { requireEnv, uniqueSuffix, eventually } from '../../support/env.js';

export const SERVICE: ResourceType = { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true };
export const ENDPOINTS: ResourceType = { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true };
export const HPA: ResourceType = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  namespaced: true,
};
export const METRICS_SERVICE = 'kyc-external-metrics';

const versions = readFileSync(new URL('../../../hack/versions.env', import.meta.url), 'utf8');
const K8S_VERSION = /^K8S_VERSION=(.*)$/m.exec(versions)?.[1] ?? '';
const KUBECTL = `${process.env.KYC_CACHE_DIR ?? `${homedir()}/.cache/kyc-operator`}/k8s/v${K8S_VERSION}/bin/kubectl`;
const run = promisify(execFile);

/** An IPv4 address of this host that is not loopback (the API server dials it from the Endpoints). */
export function hostAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this host has no non-loopback IPv4 address for the external metrics Endpoints');
}

/** `kubectl get --raw PATH` through the API server (and so through the aggregator). */
export async function getRaw<T>(path: string): Promise<T> {
  const { stdout } = await run(KUBECTL, ['--kubeconfig', requireEnv('KUBECONFIG'), 'get', '--raw', path], { timeout: 20_000 });
  return JSON.parse(stdout) as T;
}

export interface ScalingHarness {
  operator: RunningOperator;
  stop: () => Promise<void>;
}

type ApiServiceResource = KubeResource & { spec?: Record<string, unknown>; status?: { conditions?: { type: string; status: string }[] } };

/**
 * Gives the external metrics APIService back as it was before a suite borrowed it (`previous`; none:
 * deleted), unless `stillOurs` says someone else holds it by now.
 */
export async function giveBackApiService(
  client: KubeClient,
  previous: KubeResource | undefined,
  stillOurs: (current: ApiServiceResource) => boolean,
): Promise<void> {
  const current = await client.get<ApiServiceResource>(APISERVICE, '', APISERVICE_NAME);
  if (!current || !stillOurs(current)) return;
  if (previous) {
    await client.replace(APISERVICE, {
      apiVersion: APISERVICE.apiVersion,
      kind: APISERVICE.kind,
      metadata: { name: APISERVICE_NAME, labels: previous.metadata.labels, resourceVersion: current.metadata.resourceVersion },
      spec: (previous as ApiServiceResource).spec,
    });
  } else {
    await client.delete(APISERVICE, '', APISERVICE_NAME, current.metadata.uid);
  }
}

/**
 * Starts an operator watching `namespace` that serves the external metrics API, points the
 * APIService at it and waits until the aggregator reports it Available. `stop` gives the APIService
 * back as it was (or deletes it) before the operator goes away.
 */
export async function startScalingOperator(
  client: KubeClient,
  namespace: string,
  options: { now?: () => Date; prometheusUrl?: string } = {},
): Promise<ScalingHarness> {
  const previous = await client.get<ApiServiceResource>(APISERVICE, '', APISERVICE_NAME);
  // No Kafka setting: a platform's queueLag metrics read the brokers its own Kafka Secret names.
  const config = testOperatorConfig(
    { namespace },
    {
      METRICS_POLL_SECONDS: '2',
      EXTERNAL_METRICS_SERVICE: `${namespace}/${METRICS_SERVICE}`,
      EXTERNAL_METRICS_PORT: '0',
      EXTERNAL_METRICS_HOST: '0.0.0.0',
      // The cluster's APIService is make up's operator's: this one borrows it and gives it back (stop).
      EXTERNAL_METRICS_TAKE_OVER: 'true',
      PROMETHEUS_URL: options.prometheusUrl ?? '',
    },
  );
  // Someone else (an operator started in the cluster meanwhile) took it over: theirs now, leave it.
  const restore = (): Promise<void> =>
    giveBackApiService(
      client,
      previous,
      (current) => (current.spec as { service?: { namespace?: string } } | undefined)?.service?.namespace === namespace,
    );
  const operator = await startManager(config, {
    logger: testOperatorLogger(),
    ...(options.now ? { now: options.now } : {}),
  });
  const stop = async (): Promise<void> => {
    try {
      await restore();
    } finally {
      await operator.stop();
    }
  };
  try {
    const port = operator.externalMetricsPort;
    if (!port) throw new Error('the operator does not serve the external metrics API');
    await client.create(SERVICE, namespace, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: METRICS_SERVICE, namespace },
      spec: { ports: [{ name: 'https', port: 443, targetPort: port, protocol: 'TCP' }] },
    });
    // The EndpointSlice mirroring controller copies these Endpoints into an EndpointSlice.
    await client.create(ENDPOINTS, namespace, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: METRICS_SERVICE, namespace },
      subsets: [{ addresses: [{ ip: hostAddress() }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    });
    await eventually(
      'the external metrics APIService to be Available',
      async () => {
        const live = await client.get<ApiServiceResource>(APISERVICE, '', APISERVICE_NAME);
        const spec = live?.spec as { service?: { namespace?: string } } | undefined;
        return (
          spec?.service?.namespace === namespace && live?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')
        );
      },
      90_000,
      500,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { operator, stop };
}

export const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };

/** A platform's Kafka dependency Secret: `brokers` under `key`, as hack/up.sh writes it for a real platform. */
export async function createKafkaSecret(client: KubeClient, namespace: string, name: string, key: string, brokers: string): Promise<void> {
  await client.create(SECRET, namespace, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    stringData: { [key]: brokers },
  });
}

export async function kafkaAdmin(): Promise<{ kafka: Kafka; admin: Admin }> {
  const kafka = new Kafka({
    clientId: `scaling-test-${uniqueSuffix()}`,
    brokers: requireEnv('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  return { kafka, admin };
}

/** Produces `count` small messages to `topic`, spread over its partitions, in batches. */
export async function produce(kafka: Kafka, topic: string, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let sent = 0; sent < count; sent += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - sent) }, (_, i) => ({
        key: String(sent + i),
        value: `message ${sent + i}`,
      }));
      await producer.send({ topic, messages: batch });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface FakePrometheus {
  url: string;
  /** The value every query answers, or an HTTP status to fail with. */
  answer: { value: number } | { status: number };
  queries: string[];
  close: () => Promise<void>;
}

/** A stand-in for Prometheus' /api/v1/query on loopback (the operator runs in this process). */
export async function startFakePrometheus(): Promise<FakePrometheus> {
  const fake: FakePrometheus = { url: '', answer: { value: 0 }, queries: [], close: () => Promise.resolve() };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v1/query') {
      response.writeHead(404).end();
      return;
    }
    fake.queries.push(url.searchParams.get('query') ?? '');
    const answer = fake.answer;
    if ('status' in answer) {
      response
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'error', error: 'injected failure' }));
      return;
    }
    const body = {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(answer.value)] }] },
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

/** Replicas of the Deployment the component's HPA scales (0 while there is none). */
export async function hpaTargetReplicas(client: KubeClient, namespace: string, hpaName: string): Promise<number> {
  const hpa = await client.get<KubeResource & { spec: { scaleTargetRef: { name: string } } }>(HPA, namespace, hpaName);
  if (!hpa) return 0;
  const deployment = await client.get<KubeResource & { spec?: { replicas?: number } }>(DEPLOYMENT, namespace, hpa.spec.scaleTargetRef.name);
  return deployment?.spec?.replicas ?? 0;
}

export const DEPLOYMENT: ResourceType = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
export const EVENT: ResourceType = { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true };

/** Reasons of the Events recorded about the platform. */
export async function eventReasons(client: KubeClient, namespace: string): Promise<string[]> {
  const events = await client.list<KubeResource & { reason?: string }>(EVENT, namespace);
  return events.items.map((e) => e.reason ?? '');
}

/** What withPrometheusScaling sets up for a suite; all of it exists once beforeAll has run. */
export interface PrometheusScalingSuite {
  readonly namespace: string;
  readonly harness: ScalingHarness;
  readonly prometheus: FakePrometheus;
}

/**
 * A request-rate scaling suite's set-up and tear-down: beforeAll installs the CRD, creates a namespace
 * named after `prefix`, starts a fake Prometheus and an operator reading it (on `now`'s clock if given)
 * that serves the external metrics API; afterAll stops them, deletes the namespace and closes `client`.
 */
export function withPrometheusScaling(client: KubeClient, prefix: string, options: { now?: () => Date } = {}): PrometheusScalingSuite {
  let namespace = '';
  let harness: ScalingHarness | undefined;
  let prometheus: FakePrometheus | undefined;
  beforeAll(async () => {
    await installCrd(client);
    namespace = await createNamespace(client, prefix);
    prometheus = await startFakePrometheus();
    harness = await startScalingOperator(client, namespace, { prometheusUrl: prometheus.url, now: options.now });
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
    await prometheus?.close();
    if (namespace) await deleteNamespace(client, namespace);
    client.close();
  }, 60_000);
  return {
    get namespace() {
      if (!namespace) throw new Error(`the ${prefix} namespace was not created`);
      return namespace;
    },
    get harness() {
      if (!harness) throw new Error('the scaling operator did not start');
      return harness;
    },
    get prometheus() {
      if (!prometheus) throw new Error('the fake Prometheus did not start');
      return prometheus;
    },
  };
}

type Autoscaling = NonNullable<PlatformResource['spec']['autoscaling']>;

/**
 * The development sample with only kyc autoscaled (from 1 to `maxReplicas`, no scale-down wait) on its
 * request rate, 10 per replica, with `autoscaling` added (a fallback, schedules).
 */
export function requestRatePlatform(
  namespace: string,
  name: string,
  maxReplicas: number,
  autoscaling: Partial<Autoscaling> = {},
): PlatformResource {
  const platform = developmentPlatform(namespace, name);
  platform.spec.components = {
    kyc: { autoscaling: { enabled: true, minReplicas: 1, maxReplicas, scaleDownStabilizationSeconds: 0 } },
  };
  platform.spec.autoscaling = {
    enabled: false,
    resourceMetrics: false,
    metrics: { requestRate: { targetPerReplica: 10, components: ['kyc'] } },
    ...autoscaling,
  };
  return platform;
}

type ComponentScaling = NonNullable<NonNullable<NonNullable<PlatformResource['status']>['scaling']>['kyc']>;

/** Waits until the kyc entry of the platform's status.scaling satisfies `accept`, and returns it. */
export function kycScalingWhen(
  client: KubeClient,
  namespace: string,
  name: string,
  description: string,
  accept: (kyc: ComponentScaling) => boolean,
  timeoutMs = 60_000,
): Promise<ComponentScaling> {
  return eventually(
    description,
    async () => {
      const kyc = (await getPlatform(client, namespace, name))?.status?.scaling?.kyc;
      return kyc && accept(kyc) ? kyc : undefined;
    },
    timeoutMs,
    1000,
  );
}
