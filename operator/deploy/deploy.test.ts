// The install manifests stay true to the code: the CRD copy matches crds/, and the RBAC grants the
// verbs the operator uses on every kind it owns — and nothing on kinds it does not touch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import * as yaml from 'js-yaml';
import { APP_NAME, HTTP_PORT, METRICS_PORT } from '../src/render/meta.js';
import { OPERATOR_POD_LABELS } from '../src/render/networkpolicy.js';
import { OWNED_KINDS } from '../src/render/types.js';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const clusterRole = (yaml.loadAll(read('./rbac.yaml')) as { kind: string; rules?: Rule[] }[]).find((d) => d.kind === 'ClusterRole');

function verbsFor(group: string, resource: string): string[] {
  return (clusterRole?.rules ?? []).filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs);
}

describe('operator/deploy', () => {
  it('carries the same CRD as crds/', () => {
    expect(read('./crd.yaml')).toBe(read('../../crds/kycplatform.yaml'));
  });

  it.each(OWNED_KINDS.map((k) => [k.kind, k.apiVersion, k.plural] as const))(
    'lets the operator apply, watch, read back and prune %s',
    (_kind, apiVersion, plural) => {
      const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
      expect(verbsFor(group, plural).sort()).toEqual(['create', 'delete', 'get', 'list', 'patch', 'watch']);
    },
  );

  it('lets the operator read platforms, patch them (the release clears its promote/abort annotations) and their status', () => {
    expect(verbsFor('kyc.dev', 'kycplatforms').sort()).toEqual(['list', 'patch', 'watch']);
    expect(verbsFor('kyc.dev', 'kycplatforms/status')).toEqual(['patch']);
    expect(verbsFor('', 'events')).toEqual(['create']);
    // `get`: the platform Secret of a production platform, by name (reconcile/secrets.ts); create + patch: the
    // platform's CA and certificate Secrets (reconcile/certificates.ts). Never list, watch or delete.
    expect(verbsFor('', 'secrets').sort()).toEqual(['create', 'get', 'patch']);
    // Pods: listed and annotated with the live-settings digest (reconcile/live-settings.ts), never created or deleted.
    expect(verbsFor('', 'pods').sort()).toEqual(['list', 'patch']);
  });

  it("isolates the operator's namespace: default deny, and the operator's pods reach only DNS, the API and the platform pods' http and metrics ports", () => {
    type Port = { protocol: string; port: number };
    type Peer = {
      ipBlock?: { cidr: string };
      namespaceSelector?: { matchLabels?: Record<string, string> };
      podSelector?: { matchLabels?: Record<string, string> };
    };
    type Policy = {
      kind: string;
      metadata: { name: string; namespace: string };
      spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: string[];
        ingress?: { from?: Peer[]; ports: Port[] }[];
        egress?: { to?: Peer[]; ports: Port[] }[];
      };
    };
    const policies = yaml.loadAll(read('./networkpolicy.yaml')) as Policy[];
    const kustomization = yaml.load(read('./kustomization.yaml')) as { resources: string[] };
    expect(kustomization.resources).toContain('networkpolicy.yaml');
    const deny = policies.find((p) => p.metadata.name === 'kyc-operator-default-deny');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const own = policies.find((p) => p.metadata.name === 'kyc-operator');
    expect(own?.spec.podSelector.matchLabels).toEqual(OPERATOR_POD_LABELS);
    expect(own?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    // Every rule names its peers: none admits any source or destination.
    for (const rule of own?.spec.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
    for (const rule of own?.spec.egress ?? []) expect(rule.to?.length).toBeGreaterThan(0);
    // Inbound: the ports of the operator's container (ext-metrics from the API server, metrics from monitoring).
    const pod = (
      yaml.load(read('./deployment.yaml')) as {
        spec: { template: { spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } };
      }
    ).spec.template.spec;
    const port = (name: string): number | undefined => pod.containers[0]?.ports.find((p) => p.name === name)?.containerPort;
    expect(
      (own?.spec.ingress ?? [])
        .map((r) => r.ports.map((p) => p.port))
        .flat()
        .sort(),
    ).toEqual([port('ext-metrics'), port('metrics')].sort());
    // Outbound to the platform pods: exactly the ports the renderers give them.
    const platformRule = own?.spec.egress?.find((r) =>
      r.to?.some((t) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] === APP_NAME),
    );
    expect(platformRule?.ports.map((p) => p.port).sort()).toEqual([HTTP_PORT, METRICS_PORT]);
    expect(platformRule?.to).toEqual([{ namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': APP_NAME } } }]);
    const egressPorts = (own?.spec.egress ?? []).flatMap((r) => r.ports.map((p) => `${p.protocol}/${p.port}`)).sort();
    expect(egressPorts).toEqual(['TCP/443', 'TCP/53', 'TCP/6443', 'TCP/8080', 'TCP/9090', 'UDP/53']);
  });

  it('names every container port and Service target port within 15 characters (IANA service names; the API server refuses longer)', () => {
    const docs = ['./deployment.yaml', './external-metrics.yaml'].flatMap(
      (f) => yaml.loadAll(read(f)) as { kind: string; spec?: Record<string, unknown> }[],
    );
    const names = docs.flatMap((d) => {
      if (d.kind === 'Service')
        return ((d.spec?.ports ?? []) as { targetPort?: unknown }[])
          .map((p) => p.targetPort)
          .filter((t): t is string => typeof t === 'string');
      if (d.kind !== 'Deployment') return [];
      const pod = (d.spec as { template: { spec: { containers: { ports?: { name?: string }[] }[] } } }).template.spec;
      return pod.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name ?? ''));
    });
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(15);
  });
});
