// A scraper's identity on the local API server, for the operator's secure /metrics (docs/security.md,
// "The operator's /metrics"): a ServiceAccount with a token from the TokenRequest API, bound — or not —
// to the ClusterRole operator/deploy/metrics.yaml ships.
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import type { KubeClient, KubeResource, ResourceType } from '../../../operator/src/runtime/kube.js';

const SERVICE_ACCOUNT: ResourceType = { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true };
const CLUSTER_ROLE: ResourceType = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  namespaced: false,
};
const CLUSTER_ROLE_BINDING: ResourceType = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  namespaced: false,
};

const METRICS_YAML = new URL('../../../operator/deploy/metrics.yaml', import.meta.url);

/** The metrics-reader ClusterRole as operator/deploy ships it, applied to the cluster. */
export async function applyMetricsReaderRole(client: KubeClient): Promise<string> {
  const role = (yaml.loadAll(readFileSync(METRICS_YAML, 'utf8')) as KubeResource[]).find((d) => d.kind === 'ClusterRole');
  if (!role) throw new Error('operator/deploy/metrics.yaml has no ClusterRole');
  await client.apply(CLUSTER_ROLE, role, 'kyc-integration-test');
  return role.metadata.name;
}

/** A ServiceAccount in `namespace` and a token for it (TokenRequest, one hour). */
export async function serviceAccountToken(client: KubeClient, namespace: string, name: string): Promise<string> {
  await client.create(SERVICE_ACCOUNT, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  // The subresource serviceaccounts/<name>/token, created (POST) as a TokenRequest.
  const tokenRequest: ResourceType = {
    apiVersion: 'v1',
    kind: 'TokenRequest',
    plural: `serviceaccounts/${encodeURIComponent(name)}/token`,
    namespaced: true,
  };
  const answer = await client.create<KubeResource & { status?: { token?: string } }>(tokenRequest, namespace, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  if (!answer.status?.token) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  return answer.status.token;
}

/** Binds the ClusterRole to the ServiceAccount; returns a function that removes the binding again. */
export async function bindClusterRole(
  client: KubeClient,
  role: string,
  namespace: string,
  serviceAccount: string,
): Promise<() => Promise<void>> {
  const name = `${role}-${namespace}-${serviceAccount}`.slice(0, 253);
  await client.apply(
    CLUSTER_ROLE_BINDING,
    {
      apiVersion: CLUSTER_ROLE_BINDING.apiVersion,
      kind: CLUSTER_ROLE_BINDING.kind,
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
    'kyc-integration-test',
  );
  return () => client.delete(CLUSTER_ROLE_BINDING, '', name).catch(() => undefined);
}
