import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderEnv } from './env.js';
import { renderNetworkPolicies } from './networkpolicy.js';
import { otlpPort, tracingEnv, tracingNetwork } from './tracing.js';

const collector = { ipBlock: { cidr: '10.30.0.5/32' } };
const withTracing = platform({
  observability: { tracing: { otlpEndpoint: 'http://otel-collector.monitoring:4318', sampleRatio: 0.25, networkPeers: [collector] } },
});

interface Policy {
  metadata: { name: string };
  spec: { egress?: { to?: unknown[]; ports: { protocol: string; port: number }[] }[] };
}

describe('tracingEnv', () => {
  it('gives every component the OTLP endpoint and the sampling ratio; nothing without spec.observability.tracing', () => {
    expect(tracingEnv(withTracing.spec)).toEqual([
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.monitoring:4318' },
      { name: 'OTEL_TRACES_SAMPLER_ARG', value: '0.25' },
    ]);
    for (const component of ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const)
      expect(renderEnv(withTracing, component)).toContainEqual({
        name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        value: 'http://otel-collector.monitoring:4318',
      });
    expect(tracingEnv(platform().spec)).toEqual([]);
    expect(renderEnv(platform(), 'kyc').some((e) => e.name.startsWith('OTEL_'))).toBe(false);
  });
});

describe('tracingNetwork', () => {
  it("is the receiver's peers on the endpoint's port (the scheme's without one)", () => {
    expect(tracingNetwork(withTracing.spec)).toEqual({ peers: [collector], ports: [4318] });
    expect(otlpPort('https://otlp.example.com')).toBe(443);
    expect(otlpPort('http://otlp.example.com/')).toBe(80);
    expect(tracingNetwork(platform().spec)).toBeUndefined();
  });

  it("opens every component's egress to the receiver, and nothing without peers (fail closed)", () => {
    const rules = (p: ReturnType<typeof platform>) =>
      (renderNetworkPolicies(p) as unknown as Policy[]).map((policy) => ({
        name: policy.metadata.name,
        toCollector: (policy.spec.egress ?? []).some(
          (rule) => JSON.stringify(rule.to) === JSON.stringify([collector]) && rule.ports[0]?.port === 4318,
        ),
      }));
    const components = rules(withTracing).filter((r) => !r.name.endsWith('-default-deny') && !r.name.includes('backup'));
    expect(components.length).toBeGreaterThanOrEqual(6);
    // The frontend serves static files and sends no traces: DNS stays its only egress.
    for (const policy of components) expect(policy).toEqual({ name: policy.name, toCollector: policy.name !== 'acme-frontend' });
    expect(rules(platform()).some((r) => r.toCollector)).toBe(false);
  });
});
