// NetworkPolicies (when spec.security.networkPolicies, default on): deny all ingress AND egress of the
// platform's pods, then allow exactly the connections the services make. A compromised pod can then reach
// neither other hosts (the gateway is no open proxy even if its routing fails: docs/security.md, control
// 1) nor endpoints it has no business with.
//
// Ingress on the http port (8080):
//
//   to \ from      anywhere   gateway   kyc   notification   analytics
//   gateway           yes
//   kyc                          yes
//   auth                         yes      yes        yes            yes     (JWKS: every service verifies tokens)
//   notification                 yes
//   analytics                    yes
//   frontend                     yes                                        (the web app's files)
//
// plus the operator's pods (label app.kubernetes.io/name=kyc-operator in the operator's namespace, when it
// runs in the cluster) on every component's http port: the release smoke checks call the preview Services.
// Ingress on the metrics port (9090: /metrics and the detailed /health): the operator's pods (request-rate
// and latency scrapes for autoscaling) and spec.security.monitoring (Prometheus); nobody else.
//
// Egress, per component, and nothing else:
// - DNS, port 53 UDP and TCP, to spec.security.dnsPeers (default: the kube-dns pods in kube-system);
// - the components it calls, on 8080 (the transpose of the matrix above: gateway → every upstream,
//   kyc/notification/analytics → auth; the frontend calls nobody, DNS is all it may reach);
// - the dependencies it reads (api/components.ts DEPENDENCY_ENV), to spec.dependencies.<name>.networkPeers on their
//   ports. The operator never reads the dependency URLs, so it cannot derive the addresses: without peers
//   nothing may reach the dependency (fail closed; the schema says so).
// Policies match the address a connection reaches after Service translation (kube-proxy's DNAT), so the
// peers are pods or endpoint addresses, never ClusterIPs.
import { ALLOWED_CALLERS, CALLS, DEPENDENCY_ENV, isStaticComponent, type ComponentName } from '../api/components.js';
import {
  dependencyNetwork,
  dependencySecret,
  desiredComponentNames,
  dnsPeersOf,
  networkPoliciesEnabled,
  type Dependency,
} from '../api/defaults.js';
import type { KycPlatform, NetworkPeer } from '../api/types.js';
import { HTTP_PORT, METRICS_PORT, unversionedObjectMeta, platformPodSelector, selectorLabels } from './meta.js';
import { kmsNetwork } from './kms.js';
import { tracingNetwork } from './tracing.js';
import { notificationProviderNetwork } from './notification-providers.js';
import type { KubeObject } from './types.js';

const HTTP = [{ protocol: 'TCP', port: HTTP_PORT }];
const METRICS = [{ protocol: 'TCP', port: METRICS_PORT }];
const DNS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

/** The label every operator pod carries (operator/deploy, charts/kyc-operator). */
export const OPERATOR_POD_LABELS = { 'app.kubernetes.io/name': 'kyc-operator' };

type Peer = Record<string, unknown>;
type Rule = { from?: Peer[]; to?: Peer[]; ports: unknown[] };

function namespaceSelector(namespace: string): Peer {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

function operatorPeer(operatorNamespace: string): Peer {
  return { namespaceSelector: namespaceSelector(operatorNamespace), podSelector: { matchLabels: OPERATOR_POD_LABELS } };
}

/** A spec peer as a NetworkPolicyPeer: the same fields, without the ones the spec leaves out. */
export function toPeer(peer: NetworkPeer): Peer {
  const out: Peer = {};
  if (peer.ipBlock) out.ipBlock = { cidr: peer.ipBlock.cidr, ...(peer.ipBlock.except?.length ? { except: peer.ipBlock.except } : {}) };
  if (peer.namespaceSelector)
    out.namespaceSelector = { ...(peer.namespaceSelector.matchLabels ? { matchLabels: peer.namespaceSelector.matchLabels } : {}) };
  if (peer.podSelector) out.podSelector = { ...(peer.podSelector.matchLabels ? { matchLabels: peer.podSelector.matchLabels } : {}) };
  return out;
}

function policy(platform: KycPlatform, name: string, component: ComponentName | 'platform', spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: unversionedObjectMeta(platform, name, component), spec };
}

function ingressRules(platform: KycPlatform, component: ComponentName, operatorNamespace: string | undefined): Rule[] {
  const callers = ALLOWED_CALLERS[component];
  const rules: Rule[] = [];
  if (callers === 'anywhere') rules.push({ ports: HTTP });
  else {
    const from = callers.map((caller) => ({ podSelector: { matchLabels: selectorLabels(platform, caller) } }));
    rules.push({ from: operatorNamespace ? [...from, operatorPeer(operatorNamespace)] : from, ports: HTTP });
  }
  const scrapers: Peer[] = [];
  if (operatorNamespace) scrapers.push(operatorPeer(operatorNamespace));
  const monitoring = platform.spec.security?.monitoring;
  if (monitoring) {
    const pods = monitoring.podSelector?.matchLabels;
    scrapers.push({ namespaceSelector: namespaceSelector(monitoring.namespace), ...(pods ? { podSelector: { matchLabels: pods } } : {}) });
  }
  // No scraper: no rule at all (a rule without `from` would admit every source).
  if (scrapers.length > 0) rules.push({ from: scrapers, ports: METRICS });
  return rules;
}

function egressRules(platform: KycPlatform, component: ComponentName): Rule[] {
  const spec = platform.spec;
  const enabled = new Set(desiredComponentNames(spec));
  const rules: Rule[] = [{ to: dnsPeersOf(spec).map(toPeer), ports: DNS }];
  const callees = CALLS[component].filter((c) => enabled.has(c));
  if (callees.length > 0)
    rules.push({ to: callees.map((c) => ({ podSelector: { matchLabels: selectorLabels(platform, c) } })), ports: HTTP });
  for (const [dependency, { readers }] of Object.entries(DEPENDENCY_ENV) as [Dependency, (typeof DEPENDENCY_ENV)[Dependency]][]) {
    // A component gets a dependency's URL only when it reads it and the spec names the Secret.
    if (!readers.includes(component) || !dependencySecret(spec, dependency)) continue;
    const { peers, ports } = dependencyNetwork(spec, dependency);
    // No peers: no rule (a rule without `to` would admit every destination): fail closed.
    if (peers.length > 0) rules.push({ to: peers.map(toPeer), ports: ports.map((port) => ({ protocol: 'TCP', port })) });
  }
  // The KMS holding the PII data keys (render/kms.ts), fail closed like the dependencies above.
  const kms = kmsNetwork(spec, component);
  if (kms && kms.peers.length > 0) rules.push({ to: kms.peers.map(toPeer), ports: kms.ports.map((port) => ({ protocol: 'TCP', port })) });
  // The SMTP server and SMS gateway of notification (render/notification-providers.ts), fail closed too.
  for (const provider of notificationProviderNetwork(spec, component))
    if (provider.peers.length > 0)
      rules.push({ to: provider.peers.map(toPeer), ports: provider.ports.map((port) => ({ protocol: 'TCP', port })) });
  // The OTLP receiver of the traces (render/tracing.ts), fail closed too; the static frontend sends none.
  const tracing = isStaticComponent(component) ? undefined : tracingNetwork(spec);
  if (tracing && tracing.peers.length > 0)
    rules.push({ to: tracing.peers.map(toPeer), ports: tracing.ports.map((port) => ({ protocol: 'TCP', port })) });
  return rules;
}

export function renderNetworkPolicies(platform: KycPlatform, operatorNamespace?: string): KubeObject[] {
  if (!networkPoliciesEnabled(platform.spec)) return [];
  const base = platform.metadata.name;
  // Selects every platform pod, so a pod of no component (or one whose own policy is being replaced)
  // is isolated in both directions too.
  const defaultDeny = policy(platform, `${base}-default-deny`, 'platform', {
    podSelector: { matchLabels: platformPodSelector(platform) },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [],
    egress: [],
  });
  const allows = desiredComponentNames(platform.spec).map((component) =>
    policy(platform, `${base}-${component}`, component, {
      podSelector: { matchLabels: selectorLabels(platform, component) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: ingressRules(platform, component, operatorNamespace),
      egress: egressRules(platform, component),
    }),
  );
  return [defaultDeny, ...allows];
}
