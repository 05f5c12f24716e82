import { describe, expect, it } from '@jest/globals';
import { platform } from './fixtures.js';
import { renderNetworkPolicies } from './networkpolicy.js';

interface Policy {
  metadata: { name: string };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    ingress: { from?: { podSelector: { matchLabels: Record<string, string> } }[]; ports: unknown[] }[];
  };
}

function callers(policies: Policy[], name: string): string[] | 'anywhere' {
  const policy = policies.find((p) => p.metadata.name === name);
  if (!policy) throw new Error(`no policy ${name}`);
  const rule = policy.spec.ingress[0];
  if (!rule?.from) return 'anywhere';
  return rule.from.map((f) => f.podSelector.matchLabels['app.kubernetes.io/component'] ?? '?');
}

describe('renderNetworkPolicies', () => {
  it('denies all ingress to the platform pods, then allows the documented matrix', () => {
    const policies = renderNetworkPolicies(platform()) as unknown as Policy[];
    const deny = policies[0];
    expect(deny?.metadata.name).toBe('acme-default-deny');
    expect(deny?.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/name': 'kyc-platform' });
    expect(deny?.spec.ingress).toEqual([]);
    expect(callers(policies, 'acme-gateway')).toBe('anywhere');
    expect(callers(policies, 'acme-kyc')).toEqual(['gateway']);
    expect(callers(policies, 'acme-auth')).toEqual(['gateway', 'kyc']);
    expect(callers(policies, 'acme-notification')).toEqual(['gateway']);
    expect(callers(policies, 'acme-analytics')).toEqual(['gateway']);
    for (const p of policies.slice(1)) expect(p.spec.ingress[0]?.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
  });

  it('lets the operator pods of its own namespace reach every internal component, and nothing else gains access', () => {
    const without = renderNetworkPolicies(platform()) as unknown as Policy[];
    const policies = renderNetworkPolicies(platform(), 'kyc-system') as unknown as Policy[];
    const operatorRule = {
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kyc-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kyc-operator' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    };
    for (const name of ['acme-kyc', 'acme-auth', 'acme-notification', 'acme-analytics']) {
      const policy = policies.find((p) => p.metadata.name === name);
      const before = without.find((p) => p.metadata.name === name);
      expect(policy?.spec.ingress).toEqual([...(before?.spec.ingress ?? []), operatorRule]);
    }
    // The gateway already accepts anyone; the default deny stays empty.
    expect(policies.find((p) => p.metadata.name === 'acme-gateway')?.spec.ingress).toHaveLength(1);
    expect(policies[0]?.spec.ingress).toEqual([]);
  });

  it('renders nothing when network policies are off and skips disabled components', () => {
    expect(renderNetworkPolicies(platform({ security: { networkPolicies: false } }))).toEqual([]);
    const names = renderNetworkPolicies(platform({ components: { analytics: { enabled: false } } })).map((p) => p.metadata.name);
    expect(names).not.toContain('acme-analytics');
  });
});
