// Properties of renderPlatform over generated specs: whatever the spec, the objects are valid for the API
// server in the ways a unit example would not catch (names, label values, unique env, HPA vs replicas).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { COMPONENTS, type ComponentName } from '../api/components.js';
import type { ComponentSpec, KycPlatform, KycPlatformSpec } from '../api/types.js';
import { platform } from '../api/fixtures.js';
import { renderPlatform } from './index.js';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const componentSpec: fc.Arbitrary<ComponentSpec> = fc.record(
  {
    enabled: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 100 }),
    resources: fc.record(
      { limits: fc.record({ memory: fc.constantFrom('64Mi', '300Mi', '1Gi', '2G', 536870912) }, { requiredKeys: [] }) },
      { requiredKeys: [] },
    ),
    env: fc.uniqueArray(fc.record({ name: fc.constantFrom('LOG_LEVEL', 'EXTRA', 'OTHER'), value: fc.string({ maxLength: 5 }) }), {
      selector: (e) => e.name,
      maxLength: 3,
    }),
    autoscaling: fc.record(
      { enabled: fc.boolean(), minReplicas: fc.integer({ min: 1, max: 5 }), maxReplicas: fc.integer({ min: 5, max: 50 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const spec: fc.Arbitrary<Partial<KycPlatformSpec>> = fc.record(
  {
    version: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/),
    profile: fc.constantFrom('development', 'staging', 'production'),
    components: fc.record(
      Object.fromEntries(COMPONENTS.map((c) => [c, componentSpec])) as Record<ComponentName, fc.Arbitrary<ComponentSpec>>,
      { requiredKeys: [] },
    ),
    autoscaling: fc.record({ enabled: fc.boolean() }, { requiredKeys: [] }),
    loadBalancing: fc.record(
      { strategy: fc.constantFrom('round-robin', 'least-connections', 'ip-hash'), stickySessions: fc.boolean() },
      { requiredKeys: [] },
    ),
    security: fc.record({ networkPolicies: fc.boolean() }, { requiredKeys: [] }),
    ingress: fc.record({ host: fc.constant('kyc.example.com'), tlsSecretName: fc.constant('tls') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['version'] },
);
const name = fc.stringMatching(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/);

function check(p: KycPlatform): void {
  const objects = renderPlatform(p);
  const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  expect(new Set(keys).size).toBe(keys.length);
  const hpaTargets = new Set(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name));
  for (const o of objects) {
    expect(o.metadata.name.length).toBeLessThanOrEqual(63);
    expect(o.metadata.name).toMatch(DNS_LABEL);
    for (const value of Object.values(o.metadata.labels ?? {})) expect(value).toMatch(LABEL_VALUE);
    if (o.kind !== 'Deployment') continue;
    const deployment = o as unknown as {
      spec: { replicas?: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    expect(deployment.spec.replicas === undefined).toBe(hpaTargets.has(o.metadata.name));
    for (const container of deployment.spec.template.spec.containers) {
      const names = container.env.map((e) => e.name);
      expect(new Set(names).size).toBe(names.length);
      const heap = Number(/--max-old-space-size=(\d+)/.exec(container.env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1]);
      expect(heap).toBeGreaterThan(0);
    }
  }
}

describe('renderPlatform properties', () => {
  it('renders unique, valid names and labels, unique env, and replicas exactly where no HPA is', () => {
    fc.assert(
      fc.property(spec, name, (s, n) => {
        check(platform(s, n));
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('is a pure function of the platform', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const p = platform(s);
        expect(renderPlatform(structuredClone(p))).toEqual(renderPlatform(p));
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
