// The Helm chart (charts/kyc-operator) against the real API server: `helm template` renders the same
// pod, RBAC rules and CRD as operator/deploy, and `helm install` creates valid objects in a fresh
// namespace, cluster-wide and namespace-scoped, which `helm uninstall` removes again — the external
// metrics APIService included (one left behind would block every namespace deletion in the cluster).
// The pinned helm comes from hack/helm.sh (built from the Go module proxy on first use, then cached).
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import type { KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';
import { APISERVICE, APISERVICE_NAME } from '../../../operator/src/metrics-api/registration.js';
import { createNamespace, deleteNamespace, DEPLOYMENT, SERVICE, testClient } from './support.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const chartDir = `${repo}charts/kyc-operator`;
const client = testClient();

const rbacType = (kind: string, plural: string, namespaced: boolean): ResourceType => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  plural,
  namespaced,
});
const CLUSTER_ROLE = rbacType('ClusterRole', 'clusterroles', false);
const CLUSTER_ROLE_BINDING = rbacType('ClusterRoleBinding', 'clusterrolebindings', false);
const ROLE = rbacType('Role', 'roles', true);
const ROLE_BINDING = rbacType('RoleBinding', 'rolebindings', true);
const SERVICE_ACCOUNT: ResourceType = { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true };
const PDB: ResourceType = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true };
const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const CRD_NAME = 'kycplatforms.kyc.dev';
/** The Prometheus Operator's APIs, as `helm template` is told a cluster serves them. */
const MONITORING_APIS = [
  '--api-versions',
  'monitoring.coreos.com/v1/ServiceMonitor',
  '--api-versions',
  'monitoring.coreos.com/v1/PrometheusRule',
];
const chartVersion = (yaml.load(readFileSync(`${chartDir}/Chart.yaml`, 'utf8')) as { version: string }).version;
/**
 * The previous chart version: 0.1.0, never published to a chart repository, so kept here packaged as
 * it was at commit 7614970 (`git archive 7614970 charts/kyc-operator crds operator/deploy`, then
 * `helm package charts/kyc-operator`). It installed the CRD from crds/, which Helm never upgrades.
 */
const previousChart = `${repo}test/integration/operator/fixtures/kyc-operator-0.1.0.tgz`;
/** The chart's sample values (chart-testing's ci/ convention). */
const samples = readdirSync(`${chartDir}/ci`).filter((f) => f.endsWith('-values.yaml'));

type Rules = KubeResource & { rules: unknown[] };
type Pod = KubeResource & { spec: PodSpec };
interface PodSpec {
  serviceAccountName: string;
  securityContext: unknown;
  volumes: unknown;
  containers: {
    image: string;
    securityContext: unknown;
    livenessProbe: unknown;
    readinessProbe: unknown;
    resources: unknown;
    ports: unknown;
    env: { name: string; value?: string }[];
  }[];
}
type Deployment = KubeResource & { spec: { replicas: number; template: { spec: PodSpec } }; status?: { availableReplicas?: number } };

let helm = '';
let namespace = '';
const releases: string[] = [];

function parse(text: string): KubeResource[] {
  return yaml.loadAll(text).filter(Boolean) as KubeResource[];
}

async function helmCmd(...args: string[]): Promise<string> {
  const { stdout } = await run(helm, args, { env: { ...process.env, KUBECONFIG: requireEnv('KUBECONFIG') }, maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

const deployDir = parse(readFileSync(`${repo}operator/deploy/rbac.yaml`, 'utf8'));
const kustomizeRules = (kind: string): unknown => (deployDir.find((d) => d.kind === kind) as Rules | undefined)?.rules;
const externalMetricsRules = (
  parse(readFileSync(`${repo}operator/deploy/external-metrics.yaml`, 'utf8')).find((d) => d.kind === 'ClusterRole') as Rules
).rules;
const kustomizeDeployment = parse(readFileSync(`${repo}operator/deploy/deployment.yaml`, 'utf8'))[0] as Deployment;

beforeAll(async () => {
  // Cold: builds helm from the Go module proxy (minutes); warm: prints the cached binary's path.
  const { stdout } = await run('bash', [`${repo}hack/helm.sh`, 'path'], { maxBuffer: 8 * 1024 * 1024, timeout: 1_500_000 });
  helm = stdout.trim().split('\n').pop() ?? '';
  namespace = await createNamespace(client, 'op-chart');
}, 1_600_000);

afterAll(async () => {
  for (const release of releases)
    await helmCmd('uninstall', release, '--namespace', namespace, '--wait', '--timeout', '60s').catch(() => undefined);
  if (namespace) await deleteNamespace(client, namespace);
  client.close();
}, 120_000);

describe('helm template charts/kyc-operator', () => {
  it('renders the pod of operator/deploy/deployment.yaml, its RBAC rules and the CRD of crds/', async () => {
    const objects = parse(await helmCmd('template', 'kyc', chartDir, '--namespace', 'kyc-system', '--skip-tests'));
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual(
      [
        'APIService',
        'ClusterRole',
        'ClusterRoleBinding',
        'CustomResourceDefinition',
        'Deployment',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    // The operator's NetworkPolicy: the rules of operator/deploy/networkpolicy.yaml, selecting the release's pods.
    type Policy = KubeResource & { spec: { podSelector: unknown } & Record<string, unknown> };
    const kustomizePolicy = parse(readFileSync(`${repo}operator/deploy/networkpolicy.yaml`, 'utf8')).find(
      (d) => d.metadata.name === 'kyc-operator',
    ) as Policy;
    const policy = objects.find((o) => o.kind === 'NetworkPolicy') as Policy;
    // Besides them, the release's `helm test` pod may ask for /metrics.
    const [testPodRule, ...ingress] = [...(policy.spec.ingress as object[])].reverse();
    expect(testPodRule).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'kyc', 'app.kubernetes.io/component': 'helm-test' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
    expect({ ...policy.spec, ingress: ingress.reverse() }).toEqual({
      ...kustomizePolicy.spec,
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kyc-operator', 'app.kubernetes.io/instance': 'kyc' } },
    });
    const [kustomizeApiService] = parse(readFileSync(`${repo}operator/deploy/external-metrics.yaml`, 'utf8')).filter(
      (d) => d.kind === 'APIService',
    );
    const apiService = objects.find((o) => o.kind === 'APIService') as KubeResource & { spec: unknown };
    expect(apiService.metadata.name).toBe(APISERVICE_NAME);
    // The same registration, pointing at the release's Service (no caBundle: the operator fills it in).
    expect(apiService.spec).toEqual({
      ...(kustomizeApiService as KubeResource & { spec: object }).spec,
      service: { namespace: 'kyc-system', name: 'kyc-kyc-operator-external-metrics', port: 443 },
    });
    // The CRD of crds/, kept by `helm uninstall` (crds.keep).
    const crd = objects.find((o) => o.kind === 'CustomResourceDefinition');
    const generated = parse(readFileSync(`${repo}crds/kycplatform.yaml`, 'utf8'))[0] as KubeResource;
    expect(crd).toEqual({ ...generated, metadata: { ...generated.metadata, annotations: { 'helm.sh/resource-policy': 'keep' } } });
    const named = (kind: string, name: string): Rules => objects.find((o) => o.kind === kind && o.metadata.name === name) as Rules;
    expect(named('ClusterRole', 'kyc-kyc-operator').rules).toEqual(kustomizeRules('ClusterRole'));
    expect(named('ClusterRole', 'kyc-kyc-operator-external-metrics').rules).toEqual(externalMetricsRules);
    expect(named('Role', 'kyc-kyc-operator-leader-election').rules).toEqual(kustomizeRules('Role'));
    expect(named('ClusterRoleBinding', 'kyc-kyc-operator-auth-delegator')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'system:auth-delegator' },
    });

    const rendered = objects.find((o) => o.kind === 'Deployment') as Deployment;
    const pod = rendered.spec.template.spec;
    const want = kustomizeDeployment.spec.template.spec;
    expect(rendered.spec.replicas).toBe(kustomizeDeployment.spec.replicas);
    expect(pod.securityContext).toEqual(want.securityContext);
    expect(pod.volumes).toEqual(want.volumes);
    const [container] = pod.containers;
    const [wanted] = want.containers;
    for (const field of ['securityContext', 'livenessProbe', 'readinessProbe', 'resources', 'ports'] as const) {
      expect(container?.[field]).toEqual(wanted?.[field]);
    }
    expect(container?.image).toBe('kyc-operator/operator:0.1.0');
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
    // The same settings, except the Service name, which carries the release's name.
    for (const e of wanted?.env ?? [])
      if (e.value !== undefined && e.name !== 'EXTERNAL_METRICS_SERVICE') expect(env[e.name]).toBe(e.value);
    expect(env.EXTERNAL_METRICS_SERVICE).toBe('kyc-system/kyc-kyc-operator-external-metrics');
  });

  it('with watchNamespace set and no external metrics API, renders a Role and RoleBinding in that namespace and nothing cluster-wide', async () => {
    const objects = parse(
      await helmCmd(
        'template',
        'kyc',
        chartDir,
        '--namespace',
        'kyc-system',
        '--set',
        'watchNamespace=team-a',
        '--set',
        'logLevel=debug',
        '--set',
        'externalMetrics.enabled=false',
        '--set',
        'crds.install=false',
        // Secure /metrics needs cluster-wide rights to review tokens (system:auth-delegator).
        '--set',
        'metrics.secure=false',
      ),
    );
    expect(objects.filter((o) => o.kind.startsWith('Cluster') || o.kind === 'CustomResourceDefinition')).toEqual([]);
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'team-a') as Rules;
    expect(role.rules).toEqual(kustomizeRules('ClusterRole'));
    expect(objects.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'team-a')).toMatchObject({
      roleRef: { kind: 'Role', name: 'kyc-kyc-operator' },
      subjects: [{ kind: 'ServiceAccount', name: 'kyc-kyc-operator', namespace: 'kyc-system' }],
    });
    const env = (objects.find((o) => o.kind === 'Deployment') as Deployment).spec.template.spec.containers[0]?.env ?? [];
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'WATCH_NAMESPACE', value: 'team-a' },
        { name: 'LOG_LEVEL', value: 'debug' },
      ]),
    );
  });
});

describe('helm install charts/kyc-operator', () => {
  // crds.install=false: the shared cluster's CRD belongs to `make up`'s kubectl apply (the upgrade case
  // below takes it over for a while, the way an existing install moves to this chart).
  it.each([
    ['cluster-wide', ['--set', 'crds.install=false']],
    [
      'namespace-scoped',
      ['--set', 'crds.install=false', '--set', 'watchNamespace=SELF', '--set', 'replicas=1', '--set', 'externalMetrics.enabled=false'],
    ],
  ])(
    '%s: creates valid objects in a fresh namespace (KWOK runs the pods) and helm uninstall removes them',
    async (_scope, extra) => {
      const release = `kyc-${uniqueSuffix()}`;
      const scoped = extra.includes('watchNamespace=SELF');
      const args = extra.map((a) => a.replace('SELF', namespace));
      releases.push(release);
      // The APIService is one per cluster: one another install left (e.g. `make up`'s) steps aside for
      // the release and comes back afterwards.
      const previous = scoped ? undefined : await client.get<KubeResource & { spec: unknown }>(APISERVICE, '', APISERVICE_NAME);
      if (previous) await client.delete(APISERVICE, '', APISERVICE_NAME);
      try {
        await helmCmd('install', release, chartDir, '--namespace', namespace, ...args, '--wait', '--timeout', '180s');
        await installed(release, scoped);
      } finally {
        if (previous) {
          await client.delete(APISERVICE, '', APISERVICE_NAME).catch(() => undefined);
          await client.apply(
            APISERVICE,
            {
              apiVersion: APISERVICE.apiVersion,
              kind: APISERVICE.kind,
              metadata: { name: APISERVICE_NAME, labels: previous.metadata.labels ?? {} },
              spec: previous.spec,
            },
            'kyc-chart-test',
          );
        }
      }
    },
    300_000,
  );
});

describe('helm lint --strict and helm template: the default values and every sample of charts/kyc-operator/ci', () => {
  it.each(['(defaults)', ...samples])('%s', async (sample) => {
    const values = sample === '(defaults)' ? [] : ['--values', `${chartDir}/ci/${sample}`];
    await helmCmd('lint', '--strict', chartDir, ...values);
    const objects = parse(await helmCmd('template', 'kyc', chartDir, '--namespace', 'kyc-system', ...values, ...MONITORING_APIS));
    const deployment = objects.find((o) => o.kind === 'Deployment') as Deployment;
    const testPod = objects.find((o) => o.kind === 'Pod') as Pod;
    expect(deployment.spec.template.spec.containers[0]?.image).toBe(testPod.spec.containers[0]?.image);
    const pods = [deployment.spec.template.spec, testPod.spec];
    if (sample === 'openshift-values.yaml')
      for (const pod of pods) expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    if (sample === 'namespaced-values.yaml')
      expect(objects.filter((o) => o.kind.startsWith('Cluster') || ['CustomResourceDefinition', 'APIService'].includes(o.kind))).toEqual(
        [],
      );
    if (sample === 'production-values.yaml') {
      expect(deployment.spec.template.spec.containers[0]?.image).toMatch(
        /^registry\.example\.com\/platform\/kyc-operator\/operator@sha256:[0-9a-f]{64}$/,
      );
      expect(objects.find((o) => o.kind === 'ServiceMonitor')?.metadata.labels).toMatchObject({ release: 'kps' });
      // The PrometheusRule carries the groups promtool tests, with the runbooks' URLs prefixed.
      const rule = objects.find((o) => o.kind === 'PrometheusRule') as KubeResource & { spec: unknown };
      const plain = readFileSync(`${repo}operator/deploy/alerts/kyc-operator.rules.yaml`, 'utf8').replaceAll(
        'runbook_url: ',
        'runbook_url: https://git.example.com/kyc-operator/-/blob/main/',
      );
      expect(rule.spec).toEqual(yaml.load(plain));
    }
  });

  it('refuses values the schema does not allow', async () => {
    // helm lint reports the schema's complaints on stdout, then exits non-zero.
    const report = await helmCmd(
      'lint',
      '--strict',
      chartDir,
      '--set',
      'replicas=-1',
      '--set',
      'logLevel=loud',
      '--set',
      'imag.tag=x',
    ).then(
      () => 'passed',
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    expect(report).toMatch(/additional properties 'imag' not allowed/);
    expect(report).toMatch(/at '\/replicas': minimum: got -1, want 0/);
    expect(report).toMatch(/at '\/logLevel': value must be one of/);
  });

  it('renders a ServiceMonitor and a PrometheusRule only where the cluster serves their API', async () => {
    const enabled = ['--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.prometheusRule.enabled=true'];
    const kinds = async (...args: string[]): Promise<string[]> =>
      parse(await helmCmd('template', 'kyc', chartDir, '--skip-tests', ...enabled, ...args))
        .map((o) => o.kind)
        .filter((kind) => kind === 'ServiceMonitor' || kind === 'PrometheusRule');
    expect(await kinds()).toEqual([]);
    expect((await kinds(...MONITORING_APIS)).sort()).toEqual(['PrometheusRule', 'ServiceMonitor']);
  });

  it('renders the Grafana dashboards as sidecar ConfigMaps only when metrics.dashboards.enabled, the JSON unchanged', async () => {
    const configMaps = async (...args: string[]) =>
      parse(await helmCmd('template', 'kyc', chartDir, '--namespace', 'kyc-system', '--skip-tests', ...args)).filter(
        (o) => o.kind === 'ConfigMap',
      ) as (KubeResource & { data: Record<string, string> })[];
    expect(await configMaps()).toEqual([]);
    const rendered = await configMaps(
      '--set',
      'metrics.dashboards.enabled=true',
      '--set',
      'metrics.dashboards.annotations.grafana_folder=KYC',
    );
    expect(rendered.map((c) => c.metadata.name).sort()).toEqual([
      'kyc-kyc-operator-dashboard-operator',
      'kyc-kyc-operator-dashboard-platform',
    ]);
    for (const configMap of rendered) {
      expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'KYC' });
      const [file, json] = Object.entries(configMap.data)[0] as [string, string];
      expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(`${repo}operator/deploy/dashboards/${file}`, 'utf8')));
    }
  });

  it('nameOverride and fullnameOverride rename the objects; the pods keep app.kubernetes.io/name=kyc-operator', async () => {
    const names = async (...args: string[]): Promise<string[]> =>
      parse(await helmCmd('template', 'kyc', chartDir, '--namespace', 'kyc-system', '--skip-tests', '--set', 'crds.install=false', ...args))
        .filter((o) => o.metadata.namespace === 'kyc-system')
        .map((o) => o.metadata.name);
    expect(new Set(await names('--set', 'nameOverride=op'))).toEqual(
      new Set(['kyc-op', 'kyc-op-metrics', 'kyc-op-external-metrics', 'kyc-op-external-metrics-cert', 'kyc-op-leader-election']),
    );
    expect(new Set(await names('--set', 'fullnameOverride=ops'))).toEqual(
      new Set(['ops', 'ops-metrics', 'ops-external-metrics', 'ops-external-metrics-cert', 'ops-leader-election']),
    );
    const objects = parse(await helmCmd('template', 'kyc', chartDir, '--skip-tests', '--set', 'fullnameOverride=ops'));
    const deployment = objects.find((o) => o.kind === 'Deployment') as Deployment & {
      spec: { template: { metadata: KubeResource['metadata'] } };
    };
    expect(deployment.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'kyc-operator' });
  });
});

describe('helm install and upgrade carry the CRD (crds.install)', () => {
  it('installs the CRD, upgrades it when the chart brings a changed one, and helm uninstall keeps it', async () => {
    // The chart with its CRD renamed into a group of its own (and without the short name kycp, which
    // only one CRD may claim): the shared cluster's kycplatforms.kyc.dev is left alone.
    const group = `chart-${uniqueSuffix()}.test.kyc.dev`;
    const crdName = `kycplatforms.${group}`;
    const copy = mkdtempSync(`${tmpdir()}/kyc-chart-`);
    cpSync(chartDir, `${copy}/kyc-operator`, { recursive: true });
    const crdFile = `${copy}/kyc-operator/files/kycplatform.yaml`;
    // cpSync copies the links inside the chart as links: replace the CRD's with a file of its own, or the
    // writes below would go through it into crds/kycplatform.yaml.
    rmSync(crdFile);
    const writeCrd = (categories: string[]): void =>
      writeFileSync(
        crdFile,
        readFileSync(`${repo}crds/kycplatform.yaml`, 'utf8')
          .replace('name: kycplatforms.kyc.dev', `name: ${crdName}`)
          .replace('group: kyc.dev', `group: ${group}`)
          .replace(
            / {4}shortNames:\n {6}- kycp\n {4}categories:\n {6}- kyc\n/,
            `    categories:\n${categories.map((c) => `      - ${c}\n`).join('')}`,
          ),
      );
    const release = `kyc-crd-${uniqueSuffix()}`;
    const args = [
      '--namespace',
      namespace,
      '--set',
      `watchNamespace=${namespace}`,
      '--set',
      'replicas=1',
      '--set',
      'externalMetrics.enabled=false',
    ];
    releases.push(release);
    try {
      writeCrd(['kyc']);
      await helmCmd('install', release, `${copy}/kyc-operator`, ...args, '--wait', '--timeout', '180s');
      type Crd = KubeResource & { spec: { names: { categories: string[] } } };
      expect((await client.get<Crd>(CRD, '', crdName))?.spec.names.categories).toEqual(['kyc']);

      writeCrd(['kyc', 'kyc-upgraded']);
      await helmCmd('upgrade', release, `${copy}/kyc-operator`, ...args, '--wait', '--timeout', '180s');
      expect((await client.get<Crd>(CRD, '', crdName))?.spec.names.categories).toEqual(['kyc', 'kyc-upgraded']);

      await helmCmd('uninstall', release, '--namespace', namespace, '--wait', '--timeout', '120s');
      releases.splice(releases.indexOf(release), 1);
      const kept = await client.get<Crd>(CRD, '', crdName);
      expect(kept?.metadata.deletionTimestamp).toBeUndefined();
      expect(kept?.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
    } finally {
      rmSync(copy, { recursive: true, force: true });
      await client.delete(CRD, '', crdName).catch(() => undefined);
    }
  }, 600_000);
});

describe('helm upgrade from the previous chart version (0.1.0, CRD from crds/)', () => {
  it('refuses to take over the CRD until it is adopted, then upgrades the release and the CRD; helm uninstall keeps the CRD', async () => {
    const release = `kyc-up-${uniqueSuffix()}`;
    const fullname = `${release}-kyc-operator`;
    // Namespace-scoped, so that the release leaves the cluster's APIService alone.
    const scoped = ['--set', `watchNamespace=${namespace}`, '--set', 'replicas=1', '--set', 'externalMetrics.enabled=false'];
    releases.push(release);
    await helmCmd('install', release, previousChart, '--namespace', namespace, ...scoped, '--wait', '--timeout', '180s');
    expect((await client.get(DEPLOYMENT, namespace, fullname))?.metadata.labels?.['helm.sh/chart']).toBe('kyc-operator-0.1.0');

    // The CRD exists, created outside any release (0.1.0's crds/ or kubectl apply): Helm will not adopt it silently.
    await expect(helmCmd('upgrade', release, chartDir, '--namespace', namespace, ...scoped)).rejects.toThrow(
      /CustomResourceDefinition "kycplatforms\.kyc\.dev" in namespace "" exists and cannot be imported into the current release/,
    );
    // The one-time step of docs/install.md ("Upgrading from chart 0.1.0"), then the upgrade.
    await client.mergePatch(CRD, '', CRD_NAME, {
      metadata: {
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace },
      },
    });
    try {
      await helmCmd('upgrade', release, chartDir, '--namespace', namespace, ...scoped, '--wait', '--timeout', '180s');
      const crd = await client.get(CRD, '', CRD_NAME);
      expect(crd?.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep', 'meta.helm.sh/release-name': release });
      expect((await client.get(DEPLOYMENT, namespace, fullname))?.metadata.labels?.['helm.sh/chart']).toBe(`kyc-operator-${chartVersion}`);
      expect(await client.get(SERVICE, namespace, `${fullname}-metrics`)).toBeDefined();
      expect(await client.get(PDB, namespace, fullname)).toBeDefined();

      // The shared cluster's CRD must survive the uninstall: the release's manifest says keep.
      const manifest = parse(await helmCmd('get', 'manifest', release, '--namespace', namespace));
      expect(manifest.find((o) => o.kind === 'CustomResourceDefinition')?.metadata.annotations).toMatchObject({
        'helm.sh/resource-policy': 'keep',
      });
      await helmCmd('uninstall', release, '--namespace', namespace, '--wait', '--timeout', '120s');
      releases.splice(releases.indexOf(release), 1);
      expect(await client.get(DEPLOYMENT, namespace, fullname)).toBeUndefined();
      expect((await client.get(CRD, '', CRD_NAME))?.metadata.deletionTimestamp).toBeUndefined();
    } finally {
      // Hand the CRD back to whoever applied it before, as it was (no release owns it).
      await client.mergePatch(CRD, '', CRD_NAME, {
        metadata: {
          labels: { 'app.kubernetes.io/managed-by': null },
          annotations: { 'meta.helm.sh/release-name': null, 'meta.helm.sh/release-namespace': null, 'helm.sh/resource-policy': null },
        },
      });
    }
  }, 600_000);
});

/** Checks the objects of an installed release, uninstalls it and waits until they are gone. */
async function installed(release: string, scoped: boolean): Promise<void> {
  const fullname = `${release}-kyc-operator`;

  const deployment = await client.get<Deployment>(DEPLOYMENT, namespace, fullname);
  expect(deployment?.spec.template.spec.serviceAccountName).toBe(fullname);
  expect(deployment?.status?.availableReplicas).toBe(scoped ? 1 : 2);
  expect(await client.get(SERVICE_ACCOUNT, namespace, fullname)).toBeDefined();
  expect(((await client.get<Rules>(ROLE, namespace, `${fullname}-leader-election`)) as Rules).rules).toEqual(kustomizeRules('Role'));
  expect(await client.get(ROLE_BINDING, namespace, `${fullname}-leader-election`)).toBeDefined();
  if (scoped) {
    expect(((await client.get<Rules>(ROLE, namespace, fullname)) as Rules).rules).toEqual(kustomizeRules('ClusterRole'));
    expect(await client.get(CLUSTER_ROLE, '', fullname)).toBeUndefined();
  } else {
    expect(((await client.get<Rules>(CLUSTER_ROLE, '', fullname)) as Rules).rules).toEqual(kustomizeRules('ClusterRole'));
    expect(await client.get(CLUSTER_ROLE_BINDING, '', fullname)).toBeDefined();
    expect(((await client.get<Rules>(CLUSTER_ROLE, '', `${fullname}-external-metrics`)) as Rules).rules).toEqual(externalMetricsRules);
    expect(await client.get(CLUSTER_ROLE_BINDING, '', `${fullname}-auth-delegator`)).toBeDefined();
    expect(await client.get(ROLE_BINDING, 'kube-system', `${fullname}-auth-reader`)).toBeDefined();
    const apiService = await client.get<KubeResource & { spec: { service: unknown } }>(APISERVICE, '', APISERVICE_NAME);
    expect(apiService?.spec.service).toEqual({ namespace, name: `${fullname}-external-metrics`, port: 443 });
  }

  await helmCmd('uninstall', release, '--namespace', namespace, '--wait', '--timeout', '120s');
  releases.splice(releases.indexOf(release), 1);
  await eventually(
    'the release objects to be gone',
    async () => {
      const left = await Promise.all([
        client.get(DEPLOYMENT, namespace, fullname),
        client.get(SERVICE_ACCOUNT, namespace, fullname),
        client.get(ROLE, namespace, `${fullname}-leader-election`),
        scoped ? client.get(ROLE, namespace, fullname) : client.get(CLUSTER_ROLE, '', fullname),
        client.get(CLUSTER_ROLE_BINDING, '', `${fullname}-auth-delegator`),
        client.get(ROLE_BINDING, 'kube-system', `${fullname}-auth-reader`),
        scoped ? undefined : client.get(APISERVICE, '', APISERVICE_NAME),
      ]);
      return left.every((o) => o === undefined || o.metadata.deletionTimestamp);
    },
    60_000,
  );
}
