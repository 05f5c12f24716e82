// The plugin's cluster I/O, through @kubernetes/client-node: it reads the kubeconfig the way kubectl
// does (KUBECONFIG, --kubeconfig, --context, the context's namespace, exec credential plugins), which the
// operator's own lean client (runtime/kubeconfig.ts) deliberately does not. Everything it decides is in
// the pure modules beside it; this file only fetches and sends.
import {
  ApiException,
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../api/group.js';
import type { KycPlatform } from '../api/types.js';
import type { GlobalOptions } from './args.js';
import type { PlatformChange } from './requests.js';
import type { DeploymentView } from './summary.js';
import { imageTag, type OperatorDeployment } from './versions.js';

/** What the commands need from the cluster (a fake in run.test.ts). */
export interface PlatformCluster {
  /** The namespace the commands address: -n, else the context's, else default. */
  readonly namespace: string;
  /** undefined when there is no such platform. */
  getPlatform(name: string): Promise<KycPlatform | undefined>;
  /** The platform's Deployments; empty when the user may not list Deployments (the tree then shows no colours). */
  listDeployments(name: string): Promise<DeploymentView[]>;
  change(name: string, change: PlatformChange): Promise<void>;
  operatorDeployments(): Promise<OperatorDeployment[]>;
}

const FIELD_MANAGER = 'kubectl-kyc';
/** The label every install of the operator carries (operator/deploy, the chart's selector labels). */
const OPERATOR_SELECTOR = 'app.kubernetes.io/name=kyc-operator';

export function connect(options: Pick<GlobalOptions, 'kubeconfig' | 'context' | 'namespace'>): PlatformCluster {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) {
    if (!kc.getContextObject(options.context)) throw new Error(`no context ${JSON.stringify(options.context)} in the kubeconfig`);
    kc.setCurrentContext(options.context);
  }
  const namespace = options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const platformRef = (name: string) => ({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name });
  return {
    namespace,
    async getPlatform(name) {
      try {
        return (await custom.getNamespacedCustomObject(platformRef(name))) as KycPlatform;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw apiError(`get KycPlatform ${namespace}/${name}`, error);
      }
    },
    async listDeployments(name) {
      try {
        const list = await apps.listNamespacedDeployment({
          namespace,
          labelSelector: `app.kubernetes.io/instance=${name},app.kubernetes.io/managed-by=kyc-operator`,
        });
        return list.items.map(deploymentView);
      } catch (error) {
        if (error instanceof ApiException && error.code === 403) return [];
        throw apiError(`list the Deployments of ${namespace}/${name}`, error);
      }
    },
    async change(name, change) {
      const [body, strategy] =
        change.kind === 'annotate'
          ? [{ metadata: { annotations: { [change.annotation]: 'true' } } }, PatchStrategy.MergePatch]
          : [
              [
                { op: 'test', path: '/spec/version', value: change.from },
                { op: 'replace', path: '/spec/version', value: change.to },
              ],
              PatchStrategy.JsonPatch,
            ];
      try {
        await custom.patchNamespacedCustomObject(
          { ...platformRef(name), body, fieldManager: FIELD_MANAGER },
          setHeaderOptions('Content-Type', strategy),
        );
      } catch (error) {
        // The JSON patch's test failed: someone changed spec.version since it was read.
        if (change.kind === 'version' && error instanceof ApiException && error.code === 422) {
          throw new Error(
            `spec.version of ${namespace}/${name} is no longer ${change.from}: not changed; look again with kubectl kyc status`,
            {
              cause: error,
            },
          );
        }
        throw apiError(`patch KycPlatform ${namespace}/${name}`, error);
      }
    },
    async operatorDeployments() {
      let items: V1Deployment[];
      try {
        items = (await apps.listDeploymentForAllNamespaces({ labelSelector: OPERATOR_SELECTOR })).items;
      } catch (error) {
        // A user who may not list cluster-wide may still see the platform's namespace.
        if (!(error instanceof ApiException && error.code === 403)) throw apiError('list the operator Deployments', error);
        items = (await apps.listNamespacedDeployment({ namespace, labelSelector: OPERATOR_SELECTOR })).items;
      }
      return items.map(operatorDeployment);
    },
  };
}

function deploymentView(d: V1Deployment): DeploymentView {
  return {
    metadata: {
      name: d.metadata?.name ?? '',
      generation: d.metadata?.generation,
      labels: d.metadata?.labels,
      annotations: d.metadata?.annotations,
    },
    spec: { replicas: d.spec?.replicas },
    status: {
      observedGeneration: d.status?.observedGeneration,
      replicas: d.status?.replicas,
      readyReplicas: d.status?.readyReplicas,
      updatedReplicas: d.status?.updatedReplicas,
      availableReplicas: d.status?.availableReplicas,
    },
  };
}

function operatorDeployment(d: V1Deployment): OperatorDeployment {
  const image = d.spec?.template.spec?.containers[0]?.image;
  return {
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    version: d.metadata?.labels?.['app.kubernetes.io/version'] ?? imageTag(image),
    image,
    ready: d.status?.readyReplicas ?? 0,
    desired: d.spec?.replicas ?? 1,
  };
}

/** The API server's own message (a Status object's `message`) instead of client-node's dump of the response. */
function apiError(what: string, error: unknown): Error {
  if (!(error instanceof ApiException)) return new Error(`${what}: ${networkMessage(error)}`, { cause: error });
  let message = `HTTP ${error.code}`;
  const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') message = body.message;
  return new Error(`${what}: ${message}`, { cause: error });
}

/** fetch's "fetch failed" says nothing; its cause says what (connect ECONNREFUSED 127.0.0.1:6443, a TLS error). */
function networkMessage(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as Error).cause;
  return cause instanceof Error && cause.message && cause.message !== message ? `${message} (${cause.message})` : message;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
