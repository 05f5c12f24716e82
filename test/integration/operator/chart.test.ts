// The Helm chart (charts/kyc-operator) against the real API server: `helm template` renders the same
// pod, RBAC rules and CRD as operator/deploy, and `helm install` creates valid objects in a fresh
// namespace, cluster-wide and namespace-scoped, which `helm uninstall` removes again — the external
// metrics APIService included (one left behind would block every namespace deletion in the cluster).
// The pinned helm comes from hack/helm.sh (built from the Go module proxy on first use, then cached).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import type { KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';
import { eventually, requireEnv, uniqueSuffix } from '../../support/env.js';
import { APISERVICE, APISERVICE_NAME } from '../../../operator/src/metrics-api/registration.js';
import { createNamespace, deleteNamespace, DEPLOYMENT, testClient } from './support.js';

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

type Rules = KubeResource & { rules: unknown[] };
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
    const objects = parse(await helmCmd('template', 'kyc', chartDir, '--namespace', 'kyc-system', '--include-crds'));
    expect([...new Set(objects.map((o) => o.kind))].sort()).toEqual(
      [
        'APIService',
        'ClusterRole',
        'ClusterRoleBinding',
        'CustomResourceDefinition',
        'Deployment',
        'NetworkPolicy',
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
    expect(policy.spec).toEqual({
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
    const crd = objects.find((o) => o.kind === 'CustomResourceDefinition');
    expect(crd).toEqual(parse(readFileSync(`${repo}crds/kycplatform.yaml`, 'utf8'))[0]);
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
      ),
    );
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
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
  it.each([
    ['cluster-wide', [] as string[]],
    ['namespace-scoped', ['--set', 'watchNamespace=SELF', '--set', 'replicas=1', '--set', 'externalMetrics.enabled=false']],
  ])(
    '%s: creates valid objects in a fresh namespace (KWOK runs the pods) and helm uninstall removes them',
    async (_scope, extra) => {
      const release = `kyc-${uniqueSuffix()}`;
      const scoped = extra.length > 0;
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
