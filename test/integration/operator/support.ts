// Helpers for the operator suites: a client, the CRD, a namespace per suite, platforms from the
// development sample, and an operator started in-process and scoped to that namespace.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from '@jest/globals';
import * as yaml from 'js-yaml';
import { desiredComponentNames } from '../../../operator/src/api/defaults.js';
import { loadConfig, type OperatorConfig } from '../../../operator/src/runtime/config.js';
import { KubeClient, type KubeResource, type ResourceType } from '../../../operator/src/runtime/kube.js';
import { createLogger, type Logger } from '../../../operator/src/runtime/logger.js';
import { startManager, type RunningOperator } from '../../../operator/src/manager.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { OWNED_TYPES, PLATFORM } from '../../../operator/src/reconcile/resources.js';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';

export { PLATFORM, OWNED_TYPES };
export const NAMESPACE: ResourceType = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
export const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
export const DEPLOYMENT = OWNED_TYPES.find((t) => t.kind === 'Deployment') as ResourceType;
export const SERVICE = OWNED_TYPES.find((t) => t.kind === 'Service') as ResourceType;
export const CONFIGMAP = OWNED_TYPES.find((t) => t.kind === 'ConfigMap') as ResourceType;
const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};

export function testClient(): KubeClient {
  return KubeClient.fromConfig(requireEnv('KUBECONFIG'));
}

function loadYaml(path: string): KubeResource[] {
  return yaml.loadAll(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')).filter(Boolean) as KubeResource[];
}

/** Installs (server-side applies) the CRD and waits until it is served. Idempotent. */
export async function installCrd(client: KubeClient): Promise<void> {
  const [crd] = loadYaml('crds/kycplatform.yaml');
  if (!crd) throw new Error('crds/kycplatform.yaml is empty');
  await client.apply(CRD, crd, 'kyc-operator-tests');
  await eventually('the KycPlatform CRD to be Established', async () => {
    const live = await client.get<KubeResource & { status?: { conditions?: { type: string; status: string }[] } }>(
      CRD,
      '',
      crd.metadata.name,
    );
    return live?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
  // The API server serves a new CRD a moment after Established: wait until a list works.
  await eventually('KycPlatforms to be served', async () => (await client.list(PLATFORM, 'default')).resourceVersion !== '');
}

export async function createNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = `${prefix}-${uniqueSuffix()}`;
  await client.create(NAMESPACE, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kyc.dev/test': 'operator' } } });
  for (const secret of loadYaml('samples/secrets-development.yaml')) {
    await client.create(SECRET, name, { ...secret, metadata: { ...secret.metadata, namespace: name } });
  }
  return name;
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  await client.delete(NAMESPACE, '', name);
}

/** The development sample, renamed into `namespace`. */
export function developmentPlatform(namespace: string, name: string, version = '0.1.0'): PlatformResource {
  const [sample] = loadYaml('samples/development.yaml') as PlatformResource[];
  if (!sample) throw new Error('samples/development.yaml is empty');
  return { ...sample, metadata: { name, namespace }, spec: { ...sample.spec, version } };
}

export interface TestOperatorOptions {
  namespace: string;
  leaseName?: string;
  identity?: string;
}

/**
 * The configuration of a test operator in this process: watching only `options.namespace`, with short
 * lease timings; `env` adds or overrides settings (e.g. the scaling suites' metrics API).
 */
export function testOperatorConfig(options: TestOperatorOptions, env: Record<string, string> = {}): OperatorConfig {
  return loadConfig([], {
    KUBECONFIG: requireEnv('KUBECONFIG'),
    WATCH_NAMESPACE: options.namespace,
    METRICS_PORT: '0',
    HEALTH_PROBE_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    LEASE_NAME: options.leaseName ?? `kyc-operator-${options.namespace}`,
    LEASE_NAMESPACE: options.namespace,
    POD_NAME: options.identity ?? `test-${uniqueSuffix()}`,
    LEASE_DURATION_SECONDS: '4',
    RENEW_DEADLINE_SECONDS: '3',
    RETRY_PERIOD_SECONDS: '1',
    RESYNC_PERIOD_SECONDS: '3600',
    PROGRESS_REQUEUE_SECONDS: '2',
    RETRY_BASE_MS: '200',
    RETRY_MAX_MS: '3000',
    ...env,
  });
}

/** The log of a test operator: errors only, unless OPERATOR_TEST_LOG_LEVEL=debug. */
export function testOperatorLogger(): Logger {
  return createLogger(process.env.OPERATOR_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'error', process.stderr);
}

/** An operator in this process, watching only `namespace`, with short lease timings. */
export async function startTestOperator(options: TestOperatorOptions): Promise<RunningOperator> {
  return startManager(testOperatorConfig(options), { logger: testOperatorLogger() });
}

/** What withTestOperator sets up for a suite; namespace and operator exist once beforeAll has run. */
export interface TestOperatorSuite {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly operator: RunningOperator;
}

export interface TestOperatorSuiteOptions {
  /** Starts the suite's operator in its namespace (default: startTestOperator). */
  start?: (namespace: string) => Promise<RunningOperator>;
  /** Runs in afterAll before the operator stops (e.g. ends a watch the suite opened). */
  beforeStop?: () => Promise<void>;
}

/**
 * An operator suite's set-up and tear-down: beforeAll installs the CRD, creates a namespace named after
 * `prefix` and starts an operator watching only it; afterAll stops the operator, deletes the namespace
 * and closes the client, whatever the tests left.
 */
export function withTestOperator(prefix: string, options: TestOperatorSuiteOptions = {}): TestOperatorSuite {
  const client = testClient();
  const start = options.start ?? ((namespace: string) => startTestOperator({ namespace }));
  let namespace = '';
  let operator: RunningOperator | undefined;
  beforeAll(async () => {
    await installCrd(client);
    namespace = await createNamespace(client, prefix);
    operator = await start(namespace);
  }, 120_000);
  afterAll(async () => {
    await options.beforeStop?.();
    await operator?.stop();
    if (namespace) await deleteNamespace(client, namespace);
    client.close();
  }, 60_000);
  return {
    client,
    get namespace() {
      if (!namespace) throw new Error(`the ${prefix} namespace was not created`);
      return namespace;
    },
    get operator() {
      if (!operator) throw new Error('the operator did not start');
      return operator;
    },
  };
}

export async function getPlatform(client: KubeClient, namespace: string, name: string): Promise<PlatformResource | undefined> {
  return client.get<PlatformResource>(PLATFORM, namespace, name);
}

/** Waits until the platform is Ready at `version` with every component ready. */
export async function waitReady(
  client: KubeClient,
  namespace: string,
  name: string,
  version: string,
  timeoutMs = 90_000,
): Promise<PlatformResource> {
  return eventually(
    `${namespace}/${name} to be Ready at ${version}`,
    async () => {
      const platform = await getPlatform(client, namespace, name);
      const status = platform?.status;
      const ready = status?.conditions?.find((c) => c.type === 'Ready');
      // Every component the spec runs (six unless some are disabled).
      const running = platform ? desiredComponentNames(platform.spec).length : 0;
      return ready?.status === 'True' &&
        status?.activeVersion === version &&
        status.observedGeneration === platform?.metadata.generation &&
        status.readyComponents === `${running}/${running}`
        ? platform
        : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Every object in the namespace that the operator manages for `instance`. */
export async function ownedObjects(client: KubeClient, namespace: string, instance: string): Promise<KubeResource[]> {
  const lists = await Promise.all(
    OWNED_TYPES.map((type) => client.list(type, namespace, { labelSelector: `app.kubernetes.io/instance=${instance}` })),
  );
  return lists.flatMap((l) => l.items);
}
