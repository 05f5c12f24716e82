// NetworkPolicies (when spec.security.networkPolicies, default on): deny all ingress to the platform's pods,
// then allow exactly the calls the services make. The matrix (port 8080 only):
//
//   to \ from      anywhere   gateway   kyc
//   gateway           yes
//   kyc                          yes
//   auth                         yes      yes
//   notification                 yes
//   analytics                    yes
//
// and the operator's own pods (label app.kubernetes.io/name=kyc-operator in the operator's namespace,
// when it runs in the cluster) may call every component: release smoke checks against the preview
// Services and /metrics scrapes for autoscaling.
//
// Egress is not restricted: the services reach PostgreSQL, Redis and Kafka wherever they run.
import type { ComponentName } from '../api/components.js';
import { desiredComponentNames, networkPoliciesEnabled } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { HTTP_PORT, objectMeta, platformPodSelector, selectorLabels } from './meta.js';
import type { KubeObject } from './types.js';

/** Who may call each component; 'anywhere' means any source, in or outside the cluster. */
export const ALLOWED_CALLERS: Readonly<Record<ComponentName, 'anywhere' | readonly ComponentName[]>> = {
  gateway: 'anywhere',
  kyc: ['gateway'],
  auth: ['gateway', 'kyc'],
  notification: ['gateway'],
  analytics: ['gateway'],
};

const PORTS = [{ protocol: 'TCP', port: HTTP_PORT }];

/** The label every operator pod carries (operator/deploy, charts/kyc-operator). */
export const OPERATOR_POD_LABELS = { 'app.kubernetes.io/name': 'kyc-operator' };

function operatorRule(operatorNamespace: string): Record<string, unknown> {
  return {
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': operatorNamespace } }, podSelector: { matchLabels: OPERATOR_POD_LABELS } }],
    ports: PORTS,
  };
}

function policy(platform: KycPlatform, name: string, component: ComponentName | 'platform', spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: objectMeta(platform, name, component), spec };
}

export function renderNetworkPolicies(platform: KycPlatform, operatorNamespace?: string): KubeObject[] {
  if (!networkPoliciesEnabled(platform.spec)) return [];
  const base = platform.metadata.name;
  const defaultDeny = policy(platform, `${base}-default-deny`, 'platform', {
    podSelector: { matchLabels: platformPodSelector(platform) },
    policyTypes: ['Ingress'],
    ingress: [],
  });
  const allows = desiredComponentNames(platform.spec).map((component) => {
    const callers = ALLOWED_CALLERS[component];
    const rule =
      callers === 'anywhere'
        ? { ports: PORTS }
        : { from: callers.map((caller) => ({ podSelector: { matchLabels: selectorLabels(platform, caller) } })), ports: PORTS };
    return policy(platform, `${base}-${component}`, component, {
      podSelector: { matchLabels: selectorLabels(platform, component) },
      policyTypes: ['Ingress'],
      ingress: callers !== 'anywhere' && operatorNamespace ? [rule, operatorRule(operatorNamespace)] : [rule],
    });
  });
  return [defaultDeny, ...allows];
}
