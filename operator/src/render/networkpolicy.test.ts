import { describe, expect, it } from '@jest/globals';
import type { KycPlatformSpec } from '../api/types.js';
import { platform } from '../api/fixtures.js';
import { CALLS } from '../api/components.js';
import { renderNetworkPolicies } from './networkpolicy.js';

type Peer = {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
};
type Port = { protocol: string; port: number };
interface Policy {
  metadata: { name: string };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress: { from?: Peer[]; ports: Port[] }[];
    egress: { to?: Peer[]; ports: Port[] }[];
  };
}

const OPERATOR = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kyc-system' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kyc-operator' } },
};
const METRICS = [{ protocol: 'TCP', port: 9090 }];
const pg = { ipBlock: { cidr: '10.20.0.5/32' } };
const redis = { ipBlock: { cidr: '10.20.0.6/32' } };
const kafka = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kafka' } },
  podSelector: { matchLabels: { app: 'kafka' } },
};

/** The fixture platform with every dependency's peers set. */
function withPeers(spec: Partial<KycPlatformSpec> = {}): ReturnType<typeof platform> {
  return platform({
    dependencies: {
      postgres: { secretRef: { name: 'kyc-postgres' }, networkPeers: [pg] },
      redis: { secretRef: { name: 'kyc-redis' }, networkPeers: [redis], ports: [16379] },
      kafka: { secretRef: { name: 'kyc-kafka' }, networkPeers: [kafka], ports: [9092, 9093] },
    },
    ...spec,
  });
}

function policies(p = withPeers(), operatorNamespace?: string): Policy[] {
  return renderNetworkPolicies(p, operatorNamespace) as unknown as Policy[];
}

function find(all: Policy[], name: string): Policy {
  const found = all.find((p) => p.metadata.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

/** The components whose pods may open connections to `name`'s http port ('anywhere' for no `from`). */
function httpCallers(all: Policy[], name: string): string[] | 'anywhere' {
  const rule = find(all, name).spec.ingress.find((r) => r.ports[0]?.port === 8080);
  if (!rule?.from) return 'anywhere';
  return rule.from.map((f) => (f.namespaceSelector ? 'operator' : (f.podSelector?.matchLabels?.['app.kubernetes.io/component'] ?? '?')));
}

/** Every (peer, port) a component's pods may connect to, as readable strings. */
function destinations(all: Policy[], name: string): string[] {
  return find(all, name).spec.egress.flatMap((rule) =>
    (rule.to ?? [{ ipBlock: { cidr: 'ANYWHERE' } }]).flatMap((peer) =>
      rule.ports.map((port) => {
        const what =
          peer.ipBlock?.cidr ??
          peer.podSelector?.matchLabels?.['app.kubernetes.io/component'] ??
          peer.podSelector?.matchLabels?.['k8s-app'] ??
          peer.podSelector?.matchLabels?.app ??
          '?';
        return `${what}:${port.protocol}/${port.port}`;
      }),
    ),
  );
}

describe('renderNetworkPolicies', () => {
  it('denies all ingress and egress of the platform pods first', () => {
    const deny = policies()[0];
    expect(deny?.metadata.name).toBe('acme-default-deny');
    expect(deny?.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/name': 'kyc-platform' });
    expect(deny?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny?.spec.ingress).toEqual([]);
    expect(deny?.spec.egress).toEqual([]);
    for (const p of policies()) expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('allows the documented http matrix: auth now also from kyc, notification and analytics (they fetch its JWKS)', () => {
    const all = policies();
    expect(httpCallers(all, 'acme-gateway')).toBe('anywhere');
    expect(httpCallers(all, 'acme-kyc')).toEqual(['gateway']);
    expect(httpCallers(all, 'acme-auth')).toEqual(['gateway', 'kyc', 'notification', 'analytics']);
    expect(httpCallers(all, 'acme-notification')).toEqual(['gateway']);
    expect(httpCallers(all, 'acme-analytics')).toEqual(['gateway']);
    expect(httpCallers(all, 'acme-frontend')).toEqual(['gateway']);
  });

  it('when the operator runs in the cluster, then its pods reach every http port (smoke checks) and every metrics port (scrapes)', () => {
    const all = policies(withPeers(), 'kyc-system');
    for (const name of ['acme-kyc', 'acme-auth', 'acme-notification', 'acme-analytics']) {
      const rule = find(all, name).spec.ingress.find((r) => r.ports === undefined || r.ports[0]?.port === 8080);
      expect(rule?.from).toContainEqual(OPERATOR);
    }
    for (const name of ['acme-gateway', 'acme-kyc', 'acme-auth', 'acme-notification', 'acme-analytics']) {
      expect(find(all, name).spec.ingress.find((r) => r.ports[0]?.port === 9090)).toEqual({ from: [OPERATOR], ports: METRICS });
    }
  });

  it('when nobody may scrape (operator outside the cluster, no monitoring), then no rule opens the metrics port', () => {
    for (const p of policies().slice(1)) {
      expect(p.spec.ingress.some((r) => r.ports.some((port) => port.port === 9090))).toBe(false);
      // Every rule that is not the gateway's public http port names its sources.
      for (const rule of p.spec.ingress) if (p.metadata.name !== 'acme-gateway') expect(rule.from?.length).toBeGreaterThan(0);
    }
  });

  it('when spec.security.monitoring names a namespace, then its pods (optionally selected) may scrape the metrics port and nothing else', () => {
    const all = policies(
      withPeers({ security: { monitoring: { namespace: 'monitoring', podSelector: { matchLabels: { app: 'prometheus' } } } } }),
      'kyc-system',
    );
    const monitoring = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { app: 'prometheus' } },
    };
    for (const p of all.slice(1)) {
      expect(p.spec.ingress.find((r) => r.ports[0]?.port === 9090)).toEqual({ from: [OPERATOR, monitoring], ports: METRICS });
      const http = p.spec.ingress.find((r) => r.ports[0]?.port === 8080);
      expect(http?.from ?? []).not.toContainEqual(monitoring);
    }
    const whole = policies(withPeers({ security: { monitoring: { namespace: 'monitoring' } } }));
    expect(find(whole, 'acme-kyc').spec.ingress.find((r) => r.ports[0]?.port === 9090)?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });

  it('restricts egress to DNS, the components each one calls and the dependencies it reads — nothing else', () => {
    const all = policies();
    const dns = ['kube-dns:UDP/53', 'kube-dns:TCP/53'];
    expect(destinations(all, 'acme-gateway')).toEqual([
      ...dns,
      'kyc:TCP/8080',
      'auth:TCP/8080',
      'notification:TCP/8080',
      'analytics:TCP/8080',
      'frontend:TCP/8080',
      '10.20.0.6/32:TCP/16379',
    ]);
    expect(destinations(all, 'acme-kyc')).toEqual([
      ...dns,
      'auth:TCP/8080',
      '10.20.0.5/32:TCP/5432',
      '10.20.0.6/32:TCP/16379',
      'kafka:TCP/9092',
      'kafka:TCP/9093',
    ]);
    expect(destinations(all, 'acme-auth')).toEqual([...dns, '10.20.0.5/32:TCP/5432', '10.20.0.6/32:TCP/16379']);
    expect(destinations(all, 'acme-notification')).toEqual([
      ...dns,
      'auth:TCP/8080',
      '10.20.0.5/32:TCP/5432',
      '10.20.0.6/32:TCP/16379',
      'kafka:TCP/9092',
      'kafka:TCP/9093',
    ]);
    expect(destinations(all, 'acme-analytics')).toEqual([
      ...dns,
      'auth:TCP/8080',
      '10.20.0.5/32:TCP/5432',
      '10.20.0.6/32:TCP/16379',
      'kafka:TCP/9092',
      'kafka:TCP/9093',
    ]);
    // The frontend reads no dependency and calls nobody: DNS only.
    expect(destinations(all, 'acme-frontend')).toEqual(dns);
    // No egress rule anywhere lacks a destination (a rule without `to` would allow every address).
    for (const p of all) for (const rule of p.spec.egress) expect(rule.to?.length).toBeGreaterThan(0);
    // The kafka peer keeps both selectors (pods of that namespace), as written in the spec.
    expect(find(all, 'acme-kyc').spec.egress.at(-1)?.to).toEqual([kafka]);
  });

  it('egress to the callees is the transpose of the ingress matrix', () => {
    for (const [caller, callees] of Object.entries(CALLS)) {
      for (const callee of callees) expect(httpCallers(policies(), `acme-${callee}`)).toContain(caller);
    }
  });

  it('when a dependency has no networkPeers, then nothing may reach it (fail closed), and DNS uses spec.security.dnsPeers when set', () => {
    const all = policies(platform({ security: { dnsPeers: [{ ipBlock: { cidr: '10.244.128.1/32' } }] } }));
    expect(destinations(all, 'acme-auth')).toEqual(['10.244.128.1/32:UDP/53', '10.244.128.1/32:TCP/53']);
    expect(destinations(all, 'acme-kyc')).toEqual(['10.244.128.1/32:UDP/53', '10.244.128.1/32:TCP/53', 'auth:TCP/8080']);
  });

  it('when a dependency is not configured, then no component gets egress to it even with peers; a disabled callee gets no rule', () => {
    const p = withPeers({ components: { analytics: { enabled: false } } });
    const deps = p.spec.dependencies ?? {};
    delete deps.kafka;
    const all = policies(p);
    expect(destinations(all, 'acme-kyc').some((d) => d.startsWith('kafka'))).toBe(false);
    expect(destinations(all, 'acme-gateway')).not.toContain('analytics:TCP/8080');
  });

  it('when spec.dependencies.kms names a KMS, then kyc alone may reach its peers (port 443 by default), and nothing without peers', () => {
    const kms = { ipBlock: { cidr: '10.20.0.9/32' } };
    const withKms = (settings: object): Policy[] => {
      const p = withPeers();
      p.spec.dependencies = { ...p.spec.dependencies, kms: { secretRef: { name: 'kyc-kms' }, ...settings } };
      return policies(p);
    };
    const all = withKms({ networkPeers: [kms] });
    expect(destinations(all, 'acme-kyc').at(-1)).toBe('10.20.0.9/32:TCP/443');
    for (const other of ['gateway', 'auth', 'notification', 'analytics'])
      expect(destinations(all, `acme-${other}`).some((d) => d.startsWith('10.20.0.9/32'))).toBe(false);
    expect(destinations(withKms({ networkPeers: [kms], ports: [14580] }), 'acme-kyc').at(-1)).toBe('10.20.0.9/32:TCP/14580');
    expect(destinations(withKms({}), 'acme-kyc')).toEqual(destinations(policies(), 'acme-kyc'));
  });

  it('when spec.dependencies.smtp and .sms name providers, then notification alone may reach their peers (587 and 443 by default), and nothing without peers', () => {
    const smtp = { ipBlock: { cidr: '10.20.0.25/32' } };
    const sms = { ipBlock: { cidr: '10.20.0.26/32' } };
    const withProviders = (settings: object): Policy[] => {
      const p = withPeers();
      p.spec.dependencies = {
        ...p.spec.dependencies,
        smtp: { secretRef: { name: 'kyc-smtp' }, networkPeers: [smtp], ...settings },
        sms: { secretRef: { name: 'kyc-sms' }, networkPeers: [sms] },
      };
      return policies(p);
    };
    const all = withProviders({});
    expect(destinations(all, 'acme-notification').slice(-2)).toEqual(['10.20.0.25/32:TCP/587', '10.20.0.26/32:TCP/443']);
    for (const other of ['gateway', 'kyc', 'auth', 'analytics'])
      expect(destinations(all, `acme-${other}`).some((d) => d.startsWith('10.20.0.2'))).toBe(false);
    expect(destinations(withProviders({ ports: [11025] }), 'acme-notification').at(-2)).toBe('10.20.0.25/32:TCP/11025');
    expect(destinations(withProviders({ networkPeers: [] }), 'acme-notification').at(-2)).not.toMatch(/^10\.20\.0\.25/);
  });

  it('when spec.notifications.webhooks lists egress peers, then notification alone may reach them (443 by default); without peers, nothing more', () => {
    const withWebhooks = (webhooks: object): Policy[] => {
      const p = withPeers();
      p.spec.notifications = { webhooks };
      return policies(p);
    };
    const receivers = { ipBlock: { cidr: '203.0.113.0/24' } };
    const all = withWebhooks({ egress: [receivers] });
    expect(destinations(all, 'acme-notification').at(-1)).toBe('203.0.113.0/24:TCP/443');
    for (const other of ['gateway', 'kyc', 'auth', 'analytics'])
      expect(destinations(all, `acme-${other}`).some((d) => d.startsWith('203.0.113.0/24'))).toBe(false);
    expect(destinations(withWebhooks({ egress: [receivers], ports: [8443] }), 'acme-notification').at(-1)).toBe('203.0.113.0/24:TCP/8443');
    expect(destinations(withWebhooks({}), 'acme-notification')).toEqual(destinations(policies(withPeers()), 'acme-notification'));
  });

  it('renders nothing when network policies are off and skips disabled components', () => {
    expect(renderNetworkPolicies(platform({ security: { networkPolicies: false } }))).toEqual([]);
    const names = renderNetworkPolicies(platform({ components: { analytics: { enabled: false } } })).map((p) => p.metadata.name);
    expect(names).not.toContain('acme-analytics');
  });
});
