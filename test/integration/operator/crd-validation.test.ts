// The KycPlatform CRD on the real API server: invalid specs are rejected at admission with a message that
// names the field, every sample is accepted, and the API server fills the schema defaults.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { readFileSync, readdirSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { ensureCrd } from '../../../operator/src/api/install-crd.js';
import { canonicalQuantity } from '../../../operator/src/api/quantity.js';
import { renderPlatform } from '../../../operator/src/render/index.js';
import type { KycPlatform } from '../../../operator/src/api/types.js';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';

requireEnv('KUBECONFIG');
const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
const core = kc.makeApiClient(k8s.CoreV1Api);
const customObjects = kc.makeApiClient(k8s.CustomObjectsApi);
const namespace = `crd-validation-${uniqueSuffix()}`;

/** Server-side apply of the generated CRD (idempotent: other suites install it too), then wait until it serves. */
async function installCrd(): Promise<void> {
  await eventually('the CRD to be installed', () => ensureCrd(kc).then(() => true), 90_000);
  // Established can precede the new schema being in force by a moment: wait until a valid object passes.
  await eventually(
    'KycPlatform objects to be accepted',
    () => dryRunCreate(platform('probe', { version: '1.0.0' })).then(() => true),
    60_000,
  );
}

function platform(name: string, spec: Record<string, unknown>): k8s.KubernetesObject & { spec: unknown } {
  return { apiVersion: 'kyc.dev/v1alpha1', kind: 'KycPlatform', metadata: { name, namespace }, spec };
}

async function dryRunCreate<T extends k8s.KubernetesObject>(object: T): Promise<T> {
  return objects.create(object, undefined, 'All');
}

/** The admission error text for an object the API server must reject (fails the test if it is accepted). */
async function rejection(object: k8s.KubernetesObject): Promise<string> {
  try {
    await dryRunCreate(object);
  } catch (error) {
    if (error instanceof k8s.ApiException) {
      expect(error.code).toBe(422);
      // The Status message lists every error as `<field path>: <reason>: <message>`.
      const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      return (body as { message?: string }).message ?? JSON.stringify(body);
    }
    throw error;
  }
  throw new Error(`the API server accepted an invalid ${object.kind} ${object.metadata?.name ?? ''}`);
}

const deps = {
  postgres: { secretRef: { name: 'pg' } },
  redis: { secretRef: { name: 'redis' } },
  kafka: { secretRef: { name: 'kafka' } },
};

beforeAll(async () => {
  // Retried: another suite may be restarting the shared API server at this moment.
  await eventually('the test namespace', async () => {
    try {
      await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'kyc.dev/test': 'crd-validation' } } } });
    } catch (error) {
      if (!(error instanceof k8s.ApiException && error.code === 409)) throw error;
    }
    return true;
  });
  await installCrd();
}, 120_000);

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

// Each case: a spec the API server must refuse, the field path the error names, and the fix it tells.
const invalid: [string, Record<string, unknown>, string, string][] = [
  ['no version', { profile: 'development' }, 'spec.version', 'Required value'],
  ['a version that is not an image tag', { version: '-1.0' }, 'spec.version', 'version must be a valid image tag'],
  ['a version with a slash', { version: 'v1/evil' }, 'spec.version', 'version must be a valid image tag'],
  [
    'an image with a tag',
    { version: '1.0.0', image: 'kyc/workloads:1.0' },
    'spec.image',
    'image must be a repository without tag or digest',
  ],
  ['an unknown profile', { version: '1.0.0', profile: 'huge' }, 'spec.profile', 'Unsupported value: "huge"'],
  [
    'minReplicas above maxReplicas',
    { version: '1.0.0', autoscaling: { minReplicas: 10, maxReplicas: 5 } },
    'spec.autoscaling.minReplicas',
    'autoscaling.minReplicas must be less than or equal to autoscaling.maxReplicas',
  ],
  [
    'a CPU target above 100 %',
    { version: '1.0.0', autoscaling: { targetCPUUtilizationPercentage: 150 } },
    'spec.autoscaling.targetCPUUtilizationPercentage',
    'should be less than or equal to 100',
  ],
  [
    'zero replicas',
    { version: '1.0.0', profile: 'development', components: { kyc: { replicas: 0 } } },
    'spec.components.kyc.replicas',
    'should be greater than or equal to 1',
  ],
  [
    'fixed replicas on an autoscaled component',
    { version: '1.0.0', profile: 'production', components: { kyc: { replicas: 4 } } },
    'spec.components.kyc.replicas',
    'components.kyc.replicas cannot be set while kyc is autoscaled',
  ],
  [
    'fewer than 3 replicas in production',
    { version: '1.0.0', profile: 'production', autoscaling: { enabled: false }, components: { auth: { replicas: 2 } } },
    'spec.components.auth.replicas',
    'must be at least 3 in the production profile',
  ],
  [
    'a production replica floor below 3',
    { version: '1.0.0', profile: 'production', autoscaling: { minReplicas: 1 } },
    'spec.autoscaling.minReplicas',
    'autoscaling.minReplicas must be at least 3 in the production profile',
  ],
  [
    'a component floor above the platform ceiling',
    { version: '1.0.0', autoscaling: { maxReplicas: 4 }, components: { gateway: { autoscaling: { minReplicas: 5 } } } },
    'spec.components.gateway.autoscaling',
    'effective minReplicas must be less than or equal to the effective maxReplicas',
  ],
  [
    'a TLS secret without a host',
    { version: '1.0.0', ingress: { tlsSecretName: 'kyc-tls' } },
    'spec.ingress.tlsSecretName',
    'ingress.tlsSecretName requires ingress.host',
  ],
  ['an invalid ingress host', { version: '1.0.0', ingress: { host: 'Not_A_Host' } }, 'spec.ingress.host', 'should match'],
  [
    'an unknown degradation mode',
    { version: '1.0.0', degradation: { mode: 'Panic' } },
    'spec.degradation.mode',
    'Unsupported value: "Panic"',
  ],
  [
    'an unknown load-balancing strategy',
    { version: '1.0.0', loadBalancing: { strategy: 'random' } },
    'spec.loadBalancing.strategy',
    'Unsupported value: "random"',
  ],
  // Weights per upstream meant nothing among the pods of one upstream: the strategy and the field are gone.
  [
    'the weighted strategy',
    { version: '1.0.0', loadBalancing: { strategy: 'weighted' } },
    'spec.loadBalancing.strategy',
    'Unsupported value: "weighted"',
  ],
  [
    'a memory request above the limit',
    { version: '1.0.0', components: { kyc: { resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } } } } },
    'spec.components.kyc.resources.requests.memory',
    'resources.requests.memory must not exceed resources.limits.memory',
  ],
  [
    'a memory limit too small for Node.js',
    { version: '1.0.0', components: { auth: { resources: { limits: { memory: '32Mi' } } } } },
    'spec.components.auth.resources.limits.memory',
    'resources.limits.memory must be at least 64Mi',
  ],
  [
    'a malformed quantity',
    { version: '1.0.0', components: { kyc: { resources: { limits: { cpu: 'lots' } } } } },
    'spec.components.kyc.resources.limits.cpu',
    'should match',
  ],
  [
    'an operator-managed env variable',
    { version: '1.0.0', components: { kyc: { env: [{ name: 'KYC_VERSION', value: 'x' }] } } },
    'spec.components.kyc.env[0].name',
    'env KYC_VERSION is set by the operator and cannot be overridden',
  ],
  [
    'a dependency Secret without a name',
    { version: '1.0.0', dependencies: { postgres: { secretRef: { key: 'url' } } } },
    'spec.dependencies.postgres.secretRef.name',
    'Required value',
  ],
  [
    'a schedule that starts and ends at the same minute',
    { version: '1.0.0', autoscaling: { schedules: [{ name: 'business-hours', start: '09:00', end: '09:00', minReplicas: 5 }] } },
    'spec.autoscaling.schedules[0].end',
    'schedule start and end must differ',
  ],
  [
    'a schedule time that is not HH:MM',
    { version: '1.0.0', autoscaling: { schedules: [{ name: 'late', start: '24:00', end: '09:00', minReplicas: 5 }] } },
    'spec.autoscaling.schedules[0].start',
    'should match',
  ],
  [
    'a time zone that is not an IANA name',
    {
      version: '1.0.0',
      autoscaling: { schedules: [{ name: 'ist', timezone: 'UTC+05:30', start: '09:00', end: '18:00', minReplicas: 5 }] },
    },
    'spec.autoscaling.schedules[0].timezone',
    'should match',
  ],
  [
    'a time zone the tz database does not have',
    {
      version: '1.0.0',
      autoscaling: { schedules: [{ name: 'mars', timezone: 'Mars/Olympus_Mons', start: '09:00', end: '18:00', minReplicas: 5 }] },
    },
    'spec.autoscaling.schedules[0].timezone',
    'unknown time zone Mars/Olympus_Mons: use an IANA name',
  ],
  [
    'a holiday that is not a date',
    {
      version: '1.0.0',
      autoscaling: { schedules: [{ name: 'bh', start: '09:00', end: '18:00', minReplicas: 5, holidays: ['2026-13-01'] }] },
    },
    'spec.autoscaling.schedules[0].holidays[0]',
    'should match',
  ],
  [
    'an unknown day',
    { version: '1.0.0', autoscaling: { schedules: [{ name: 'bh', days: ['Monday'], start: '09:00', end: '18:00', minReplicas: 5 }] } },
    'spec.autoscaling.schedules[0].days[0]',
    'Unsupported value: "Monday"',
  ],
  [
    'a schedule floor above maxReplicas',
    { version: '1.0.0', autoscaling: { maxReplicas: 10, schedules: [{ name: 'bh', start: '09:00', end: '18:00', minReplicas: 11 }] } },
    'spec.autoscaling.schedules',
    'autoscaling.schedules[].minReplicas must not exceed autoscaling.maxReplicas',
  ],
  [
    'a queue-lag target of zero',
    { version: '1.0.0', autoscaling: { metrics: { queueLag: { targetLagPerReplica: 0 } } } },
    'spec.autoscaling.metrics.queueLag.targetLagPerReplica',
    'should be greater than or equal to 1',
  ],
  [
    'a consumer group with a space',
    { version: '1.0.0', autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100, consumerGroup: 'kyc checks' } } } },
    'spec.autoscaling.metrics.queueLag.consumerGroup',
    'should match',
  ],
  [
    'an unknown latency percentile',
    { version: '1.0.0', autoscaling: { metrics: { latency: { targetMilliseconds: 200, percentile: 'p75' } } } },
    'spec.autoscaling.metrics.latency.percentile',
    'Unsupported value: "p75"',
  ],
  [
    'a request-rate metric for an unknown component',
    { version: '1.0.0', autoscaling: { metrics: { requestRate: { targetPerReplica: 50, components: ['billing'] } } } },
    'spec.autoscaling.metrics.requestRate.components[0]',
    'Unsupported value: "billing"',
  ],
  [
    'a scale-up limit of zero pods per minute',
    { version: '1.0.0', components: { kyc: { autoscaling: { scaleUp: { maxPodsPerMinute: 0 } } } } },
    'spec.components.kyc.autoscaling.scaleUp.maxPodsPerMinute',
    'should be greater than or equal to 1',
  ],
  [
    'a fallback threshold of zero',
    { version: '1.0.0', autoscaling: { fallback: { failureThreshold: 0, replicas: 5 } } },
    'spec.autoscaling.fallback.failureThreshold',
    'should be greater than or equal to 1',
  ],
  [
    'fallback replicas above maxReplicas',
    { version: '1.0.0', autoscaling: { maxReplicas: 10, fallback: { replicas: 50 } } },
    'spec.autoscaling.fallback.replicas',
    'autoscaling.fallback.replicas must be within autoscaling.minReplicas and autoscaling.maxReplicas',
  ],
  [
    "component fallback replicas above the component's maxReplicas",
    { version: '1.0.0', components: { kyc: { autoscaling: { maxReplicas: 5, fallback: { replicas: 8 } } } } },
    'spec.components.kyc.autoscaling.fallback.replicas',
    "autoscaling.fallback.replicas must be within the component's autoscaling.minReplicas and autoscaling.maxReplicas",
  ],
  [
    "component fallback replicas below the component's minReplicas",
    { version: '1.0.0', components: { notification: { autoscaling: { minReplicas: 4, fallback: { replicas: 3 } } } } },
    'spec.components.notification.autoscaling.fallback.replicas',
    "autoscaling.fallback.replicas must be within the component's autoscaling.minReplicas and autoscaling.maxReplicas",
  ],
  [
    'a queue-lag metric of the gateway without a consumer group',
    { version: '1.0.0', components: { gateway: { autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100 } } } } } },
    'spec.components.gateway.autoscaling.metrics.queueLag',
    'components.gateway.autoscaling.metrics.queueLag needs a consumerGroup',
  ],
  [
    'a component request-rate target of zero',
    { version: '1.0.0', components: { gateway: { autoscaling: { metrics: { requestRate: { targetPerReplica: 0 } } } } } },
    'spec.components.gateway.autoscaling.metrics.requestRate.targetPerReplica',
    'should be greater than or equal to 1',
  ],
  [
    'a scale-down delay under 30 s',
    { version: '1.0.0', release: { scaleDownDelaySeconds: 10 } },
    'spec.release.scaleDownDelaySeconds',
    'should be greater than or equal to 30',
  ],
  [
    'auto-promotion timing without auto-promotion',
    { version: '1.0.0', release: { autoPromote: false, autoPromotionSeconds: 60 } },
    'spec.release.autoPromotionSeconds',
    'release.autoPromotionSeconds requires release.autoPromote: true',
  ],
  [
    'an unknown release strategy',
    { version: '1.0.0', release: { strategy: 'Canary' } },
    'spec.release.strategy',
    'Unsupported value: "Canary"',
  ],
  [
    'a progress deadline under 30 s',
    { version: '1.0.0', release: { progressDeadlineSeconds: 5 } },
    'spec.release.progressDeadlineSeconds',
    'should be greater than or equal to 30',
  ],
  [
    'zero preview replicas',
    { version: '1.0.0', release: { previewReplicas: 0 } },
    'spec.release.previewReplicas',
    'should be greater than or equal to 1',
  ],
  [
    'a smoke-check path without a leading slash',
    { version: '1.0.0', release: { smokeCheck: { path: 'health' } } },
    'spec.release.smokeCheck.path',
    'should match',
  ],
  [
    'a smoke-check gateway path with a query string',
    { version: '1.0.0', release: { smokeCheck: { gatewayPath: '/api/v1/auth/me?x=1' } } },
    'spec.release.smokeCheck.gatewayPath',
    'should match',
  ],
  [
    'negative smoke-check retries',
    { version: '1.0.0', release: { smokeCheck: { retries: -1 } } },
    'spec.release.smokeCheck.retries',
    'should be greater than or equal to 0',
  ],
  [
    'a toleration with operator Exists and a value',
    { version: '1.0.0', placement: { tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'kyc' }] } },
    'spec.placement.tolerations[0].value',
    'tolerations[].value must be empty when operator is Exists',
  ],
  [
    'a trusted proxy that is neither an address nor a CIDR',
    { version: '1.0.0', security: { trustedProxies: ['10.0.0.0/33'] } },
    'spec.security.trustedProxies[0]',
    '10.0.0.0/33 is neither an IP address nor a CIDR',
  ],
  [
    'a trusted proxy given as a host name',
    { version: '1.0.0', security: { trustedProxies: ['lb.example.com'] } },
    'spec.security.trustedProxies[0]',
    'is neither an IP address nor a CIDR',
  ],
  [
    'a dependency peer that is an ipBlock and a podSelector at once',
    {
      version: '1.0.0',
      dependencies: { postgres: { secretRef: { name: 'pg' }, networkPeers: [{ ipBlock: { cidr: '10.0.0.5/32' }, podSelector: {} }] } },
    },
    'spec.dependencies.postgres.networkPeers[0]',
    'a network peer is either an ipBlock or a namespaceSelector and/or podSelector',
  ],
  [
    'an empty DNS peer',
    { version: '1.0.0', security: { dnsPeers: [{}] } },
    'spec.security.dnsPeers[0]',
    'a network peer is either an ipBlock',
  ],
  [
    'a dependency peer address without a prefix length',
    { version: '1.0.0', dependencies: { redis: { secretRef: { name: 'redis' }, networkPeers: [{ ipBlock: { cidr: '10.0.0.6' } }] } } },
    'spec.dependencies.redis.networkPeers[0].ipBlock.cidr',
    '10.0.0.6 is not a CIDR',
  ],
  [
    'an except range outside its cidr',
    { version: '1.0.0', security: { dnsPeers: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] } },
    'spec.security.dnsPeers[0].ipBlock.except',
    'ipBlock.except ranges must lie inside ipBlock.cidr',
  ],
  [
    'a dependency port of zero',
    { version: '1.0.0', dependencies: { kafka: { secretRef: { name: 'kafka' }, ports: [0] } } },
    'spec.dependencies.kafka.ports[0]',
    'should be greater than or equal to 1',
  ],
  [
    'a monitoring namespace that is not a name',
    { version: '1.0.0', security: { monitoring: { namespace: 'Monitoring_NS' } } },
    'spec.security.monitoring.namespace',
    'should match',
  ],
  [
    'an operator-managed trusted-proxy variable',
    { version: '1.0.0', components: { gateway: { env: [{ name: 'GATEWAY_TRUSTED_PROXIES', value: '0.0.0.0/0' }] } } },
    'spec.components.gateway.env[0].name',
    'env GATEWAY_TRUSTED_PROXIES is set by the operator and cannot be overridden',
  ],
  [
    'an ingress host with the gateway disabled',
    { version: '1.0.0', components: { gateway: { enabled: false } }, ingress: { host: 'kyc.example.com' } },
    'spec.ingress.host',
    'ingress.host requires the gateway component',
  ],
];

describe('KycPlatform admission', () => {
  it.each(invalid)(
    'rejects %s, naming the field',
    async (_case, spec, field, message) => {
      const text = await rejection(platform(`bad-${uniqueSuffix()}`, { dependencies: deps, ...spec }));
      expect(text).toContain(field);
      expect(text).toContain(message);
    },
    30_000,
  );

  it("rejects a components list inside a component's own metric as an unknown field (strict field validation, as kubectl uses)", async () => {
    const body = platform(`bad-${uniqueSuffix()}`, {
      version: '1.0.0',
      dependencies: deps,
      components: { gateway: { autoscaling: { metrics: { requestRate: { targetPerReplica: 100, components: ['kyc'] } } } } },
    });
    const error: unknown = await customObjects
      .createNamespacedCustomObject({
        group: 'kyc.dev',
        version: 'v1alpha1',
        namespace,
        plural: 'kycplatforms',
        body,
        dryRun: 'All',
        fieldValidation: 'Strict',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (!(error instanceof k8s.ApiException)) throw new Error(`expected the API server to refuse the object, got ${String(error)}`);
    expect(error.code).toBe(400);
    const status: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    expect((status as { message?: string }).message).toContain(
      'unknown field "spec.components.gateway.autoscaling.metrics.requestRate.components"',
    );
  }, 30_000);

  it('rejects a name too long to prefix the Service names', async () => {
    const text = await rejection(platform(`a${'b'.repeat(45)}`, { version: '1.0.0' }));
    expect(text).toContain('metadata.name must start with a letter');
    expect(text).toContain('at most 40 characters');
  }, 30_000);
});

describe('samples', () => {
  const files = readdirSync('samples')
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('include a development, production, blue-green and custom-metrics platform and the development Secrets', () => {
    expect(files).toEqual(
      expect.arrayContaining(['development.yaml', 'production.yaml', 'blue-green.yaml', 'custom-metrics.yaml', 'secrets-development.yaml']),
    );
  });

  it.each(files)(
    '%s is accepted by the API server',
    async (file) => {
      const docs = yaml.loadAll(readFileSync(`samples/${file}`, 'utf8')) as k8s.KubernetesObject[];
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(doc.metadata?.namespace).toBeUndefined(); // namespace-agnostic
        const created = await dryRunCreate({ ...doc, metadata: { ...doc.metadata, namespace } });
        expect(created.metadata?.name).toBe(doc.metadata?.name);
      }
    },
    30_000,
  );
});

describe('NetworkPolicies rendered from the samples', () => {
  it.each(['development.yaml', 'production.yaml', 'local-real-node.yaml', 'blue-green.yaml', 'custom-metrics.yaml'])(
    '%s: every NetworkPolicy (ingress and egress, the operator in kyc-system) is accepted by the API server',
    async (file) => {
      const [doc] = yaml.loadAll(readFileSync(`samples/${file}`, 'utf8')) as KycPlatform[];
      if (!doc) throw new Error(`samples/${file} is empty`);
      const written = { ...doc, metadata: { ...doc.metadata, namespace, uid: '00000000-0000-4000-8000-000000000000' } };
      const policies = renderPlatform(written, { operatorNamespace: 'kyc-system' }).filter((o) => o.kind === 'NetworkPolicy');
      expect(policies.length).toBeGreaterThan(1);
      for (const policy of policies) {
        const created = (await dryRunCreate(policy as unknown as k8s.KubernetesObject)) as k8s.KubernetesObject & {
          spec: { policyTypes: string[] };
        };
        expect(created.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      }
    },
    30_000,
  );
});

describe('defaults applied by the API server', () => {
  it('fills the profile, image, autoscaling, load-balancing, security and Secret keys', async () => {
    const created = (await dryRunCreate(
      platform('defaults', { version: '1.0.0', dependencies: deps, release: {} }),
    )) as unknown as KycPlatform;
    expect(created.spec).toMatchObject({
      version: '1.0.0',
      profile: 'production',
      image: 'kyc-operator/workloads',
      imagePullPolicy: 'IfNotPresent',
      logLevel: 'info',
      autoscaling: {
        minReplicas: 3,
        maxReplicas: 20,
        targetCPUUtilizationPercentage: 70,
        targetMemoryUtilizationPercentage: 80,
        scaleDownStabilizationSeconds: 300,
      },
      loadBalancing: { strategy: 'round-robin', stickySessions: false },
      security: { networkPolicies: true },
      dependencies: {
        postgres: { secretRef: { name: 'pg', key: 'url' } },
        redis: { secretRef: { name: 'redis', key: 'url' } },
        kafka: { secretRef: { name: 'kafka', key: 'brokers' } },
      },
      release: { strategy: 'BlueGreen', autoPromote: true, scaleDownDelaySeconds: 30, progressDeadlineSeconds: 600 },
    });
    // The smoke check's defaults appear once the block is there.
    const smoke = (await dryRunCreate(
      platform('smoke', { version: '1.0.0', dependencies: deps, release: { smokeCheck: {} } }),
    )) as unknown as KycPlatform;
    expect(smoke.spec.release?.smokeCheck).toEqual({
      enabled: true,
      path: '/ready',
      gatewayPath: '/api/v1/auth/me',
      timeoutSeconds: 5,
      retries: 3,
    });
    expect(created.spec.autoscaling?.enabled).toBeUndefined(); // profile-dependent: decided by the operator
  }, 30_000);

  it('fills component defaults when a component block is present', async () => {
    const created = (await dryRunCreate(
      platform('component-defaults', {
        version: '1.0.0',
        profile: 'development',
        components: { kyc: { env: [{ name: 'LOG_LEVEL', value: 'debug' }] } },
      }),
    )) as unknown as KycPlatform;
    expect(created.spec.components?.kyc?.enabled).toBe(true);
  }, 30_000);

  it('agree with the operator accessors: the same objects are rendered with and without them', async () => {
    // The accessors (defaults.ts) must give absent fields the values the API server would write; render each
    // sample as written and as the API server stores it, and compare.
    for (const file of ['development.yaml', 'production.yaml', 'blue-green.yaml', 'custom-metrics.yaml']) {
      const [doc] = yaml.loadAll(readFileSync(`samples/${file}`, 'utf8')) as KycPlatform[];
      if (!doc) throw new Error(`samples/${file} is empty`);
      const written = { ...doc, metadata: { ...doc.metadata, namespace, uid: '00000000-0000-4000-8000-000000000000' } };
      const stored = (await dryRunCreate(written as unknown as k8s.KubernetesObject)) as unknown as KycPlatform;
      expect(stored.spec).not.toEqual(written.spec); // the server did fill something in
      expect(renderPlatform({ ...written, spec: stored.spec })).toEqual(renderPlatform(written));
    }
  }, 30_000);

  it('stores a platform, serves the status subresource and prints the columns', async () => {
    const name = 'printed';
    await objects.create(platform(name, { version: '1.0.0', profile: 'development' }));
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await custom.patchNamespacedCustomObjectStatus(
      {
        group: 'kyc.dev',
        version: 'v1alpha1',
        namespace,
        plural: 'kycplatforms',
        name,
        body: {
          status: {
            phase: 'Ready',
            activeVersion: '1.0.0',
            activeColor: 'blue',
            readyComponents: '5/5',
            observedGeneration: 1,
            release: { phase: 'Idle', activeColor: 'blue' },
          },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const table = (await custom.getNamespacedCustomObject(
      { group: 'kyc.dev', version: 'v1alpha1', namespace, plural: 'kycplatforms', name },
      k8s.setHeaderOptions('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io'),
    )) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Phase', 'Version', 'Active', 'Release', 'Ready', 'Age']);
    expect(table.rows[0]?.cells.slice(0, 6)).toEqual([name, 'Ready', '1.0.0', 'blue', 'Idle', '5/5']);
  }, 30_000);
});

describe('quantities', () => {
  it('are spelled by the renderer exactly as the API server spells them', async () => {
    const inputs = ['250m', '0.5', '1000m', '1500m', '2000', '512Mi', '1024Mi', '1.5Gi', '0.5Ki', '536870912', '1G', '1000M', '1e3'];
    const served: [string, string | undefined][] = [];
    for (const q of inputs) {
      const quota = await core.createNamespacedResourceQuota({
        namespace,
        dryRun: 'All',
        body: { metadata: { name: 'spelling' }, spec: { hard: { cpu: q } } },
      });
      served.push([q, quota.spec?.hard?.cpu]);
    }
    expect(inputs.map((q) => [q, canonicalQuantity(q)])).toEqual(served);
  }, 30_000);
});
