// The install manifests stay true to the code: the CRD copy matches crds/, and the RBAC grants the
// verbs the operator uses on every kind it owns — and nothing on kinds it does not touch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import yaml from 'js-yaml';
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

  it.each(OWNED_KINDS.map((k) => [k.kind, k.apiVersion, k.plural] as const))('lets the operator apply, watch and prune %s', (_kind, apiVersion, plural) => {
    const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
    expect(verbsFor(group, plural).sort()).toEqual(['create', 'delete', 'list', 'patch', 'watch']);
  });

  it('lets the operator read platforms, patch them (the release clears its promote/abort annotations) and their status', () => {
    expect(verbsFor('kyc.dev', 'kycplatforms').sort()).toEqual(['list', 'patch', 'watch']);
    expect(verbsFor('kyc.dev', 'kycplatforms/status')).toEqual(['patch']);
    expect(verbsFor('', 'events')).toEqual(['create']);
    expect(verbsFor('', 'secrets')).toEqual([]);
  });

  it('names every container port and Service target port within 15 characters (IANA service names; the API server refuses longer)', () => {
    const docs = ['./deployment.yaml', './external-metrics.yaml'].flatMap((f) => yaml.loadAll(read(f)) as { kind: string; spec?: Record<string, unknown> }[]);
    const names = docs.flatMap((d) => {
      if (d.kind === 'Service') return ((d.spec?.ports ?? []) as { targetPort?: unknown }[]).map((p) => p.targetPort).filter((t): t is string => typeof t === 'string');
      if (d.kind !== 'Deployment') return [];
      const pod = (d.spec as { template: { spec: { containers: { ports?: { name?: string }[] }[] } } }).template.spec;
      return pod.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name ?? ''));
    });
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(15);
  });
});
