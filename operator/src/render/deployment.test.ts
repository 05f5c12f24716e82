import { describe, expect, it } from '@jest/globals';
import { renderColorDeployment, renderDeployment } from './deployment.js';
import { platform } from '../api/fixtures.js';

interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string } } }[];
  resources: unknown;
  readinessProbe: { httpGet: { path: string; port: string; scheme?: string } };
  livenessProbe: { httpGet: { path: string; port: string; scheme?: string } };
  startupProbe: { httpGet: { path: string; port: string; scheme?: string }; periodSeconds: number; failureThreshold: number };
  securityContext: Record<string, unknown>;
  ports: { name: string }[];
  volumeMounts: unknown[];
}
interface DeploymentShape {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> & { containers: Container[] } };
  };
}
const render = (...args: Parameters<typeof renderDeployment>) => renderDeployment(...args) as unknown as DeploymentShape;
const container = (d: DeploymentShape): Container => {
  const c = d.spec.template.spec.containers[0];
  if (!c) throw new Error('no container');
  return c;
};
const envMap = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));

describe('renderDeployment', () => {
  it('runs the component from the versioned image with the component as argument', () => {
    const d = render(platform(), 'kyc');
    expect(d.metadata.name).toBe('acme-kyc');
    expect(container(d)).toMatchObject({ name: 'kyc', image: 'kyc-operator/workloads:1.4.2', args: ['kyc'] });
    expect(container(d).ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
  });

  it('gives every component the metrics port (contract: /metrics and /health only there) and keeps the probes on http', () => {
    for (const component of ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const) {
      const c = container(render(platform(), component));
      expect(envMap(c).PORT).toBe('8080');
      expect(envMap(c).METRICS_PORT).toBe('9090');
      expect(c.ports.map((p) => p.name)).toEqual(['http', 'metrics']);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(probe.httpGet.port).toBe('http');
    }
  });

  it('passes spec.security.trustedProxies to the gateway only, as GATEWAY_TRUSTED_PROXIES (empty: trust no proxy)', () => {
    expect(envMap(container(render(platform(), 'gateway'))).GATEWAY_TRUSTED_PROXIES).toBe('');
    const p = platform({ security: { trustedProxies: ['10.0.0.0/8', '192.168.1.7'] } });
    expect(envMap(container(render(p, 'gateway'))).GATEWAY_TRUSTED_PROXIES).toBe('10.0.0.0/8,192.168.1.7');
    expect(envMap(container(render(p, 'kyc')))).not.toHaveProperty('GATEWAY_TRUSTED_PROXIES');
  });

  it('probes /ready for readiness and /livez for liveness', () => {
    const c = container(render(platform(), 'auth'));
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    // Liveness and start-up never depend on PostgreSQL, Redis or upstreams: /health is for SREs.
    expect(c.livenessProbe.httpGet.path).toBe('/livez');
    expect(c.startupProbe.httpGet.path).toBe('/livez');
    // Probed every second, so a replica serves within a second of listening, for the same two minutes' grace.
    expect(c.startupProbe.periodSeconds).toBe(1);
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(120);
  });

  it('hardens the container, mounts an emptyDir at /tmp and the live settings read-only as a directory', () => {
    const d = render(platform(), 'gateway');
    expect(container(d).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(d).volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      // No subPath: the kubelet refreshes a ConfigMap volume in place only for a directory mount.
      { name: 'live-settings', mountPath: '/etc/kyc/live', readOnly: true },
      // tls.mode BuiltIn (the default): the component's certificate, a directory too (render/tls.ts).
      { name: 'tls', mountPath: '/var/run/kyc/tls', readOnly: true },
    ]);
    expect(d.spec.template.spec.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      {
        name: 'live-settings',
        configMap: { name: 'acme-config', items: [{ key: 'live-settings.json', path: 'live-settings.json' }], defaultMode: 0o444 },
      },
      { name: 'tls', secret: { secretName: 'acme-gateway-tls', defaultMode: 0o440 } },
    ]);
    expect(container(d).env).toContainEqual({ name: 'LIVE_SETTINGS_FILE', value: '/etc/kyc/live/live-settings.json' });
    expect(d.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it('under tls BuiltIn probes over HTTPS and sets KYC_TLS_DIR; under Disabled plain HTTP, no certificate mounted', () => {
    const on = container(render(platform(), 'kyc'));
    expect([on.startupProbe, on.readinessProbe, on.livenessProbe].map((p) => p.httpGet.scheme)).toEqual(['HTTPS', 'HTTPS', 'HTTPS']);
    expect(on.env).toContainEqual({ name: 'KYC_TLS_DIR', value: '/var/run/kyc/tls' });
    const off = render(platform({ profile: 'development', tls: { mode: 'Disabled' } }), 'gateway');
    const c = container(off);
    expect([c.startupProbe, c.readinessProbe, c.livenessProbe].map((p) => p.httpGet.scheme)).toEqual([undefined, undefined, undefined]);
    expect(c.env.map((e) => e.name)).not.toContain('KYC_TLS_DIR');
    expect(c.env).toContainEqual({ name: 'UPSTREAM_KYC', value: 'http://acme-kyc-hl:8080' });
    expect(c.env).toContainEqual({ name: 'AUTH_JWKS_URL', value: 'http://acme-auth:8080/.well-known/jwks.json' });
    expect(c.volumeMounts).not.toContainEqual(expect.objectContaining({ name: 'tls' }));
    expect(off.spec.template.spec.volumes).not.toContainEqual(expect.objectContaining({ name: 'tls' }));
  });

  it('leaves replicas to the HPA when autoscaled and pins them otherwise', () => {
    expect(render(platform({ profile: 'production' }), 'kyc').spec).not.toHaveProperty('replicas');
    expect(render(platform({ profile: 'development' }), 'kyc').spec.replicas).toBe(1);
    expect(
      render(platform({ profile: 'production', components: { kyc: { replicas: 5, autoscaling: { enabled: false } } } }), 'kyc').spec
        .replicas,
    ).toBe(5);
  });

  it('when spec.dependencies.kms names a Secret, then the kyc container alone reads the KMS settings from it; without it, none', () => {
    const withKms = platform({ dependencies: { ...platform().spec.dependencies, kms: { secretRef: { name: 'kyc-kms' } } } });
    const kyc = envMap(container(render(withKms, 'kyc')));
    expect(kyc.KMS_KEY_ID).toEqual({ secretKeyRef: { name: 'kyc-kms', key: 'key-id' } });
    expect(kyc.KMS_ENDPOINT).toEqual({ secretKeyRef: { name: 'kyc-kms', key: 'endpoint', optional: true } });
    expect(kyc.PII_ENCRYPTION_KEYS).toEqual({ secretKeyRef: { name: 'kyc-platform-secrets', key: 'pii-keys' } });
    expect(envMap(container(render(withKms, 'gateway')))).not.toHaveProperty('KMS_KEY_ID');
    expect(envMap(container(render(platform(), 'kyc')))).not.toHaveProperty('KMS_KEY_ID');
  });

  it('uses the production resources and sizes the heap at 75 % of the memory limit', () => {
    const c = container(render(platform({ profile: 'production' }), 'kyc'));
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(envMap(c).NODE_OPTIONS).toBe('--max-old-space-size=384');
    const custom = container(render(platform({ components: { kyc: { resources: { limits: { memory: '1Gi' } } } } }), 'kyc'));
    expect(envMap(custom).NODE_OPTIONS).toBe('--max-old-space-size=768');
    const spelled = container(
      render(platform({ components: { kyc: { resources: { requests: { cpu: 0.5 }, limits: { memory: '1024Mi' } } } } }), 'kyc'),
    );
    expect(spelled.resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '500m', memory: '1Gi' } });
  });

  it('passes dependencies and platform secrets through secretKeyRef to the components that read them', () => {
    const kyc = envMap(container(render(platform(), 'kyc')));
    expect(kyc.DATABASE_URL).toEqual({ secretKeyRef: { name: 'kyc-postgres', key: 'url' } });
    expect(kyc.KAFKA_BROKERS).toEqual({ secretKeyRef: { name: 'kyc-kafka', key: 'brokers' } });
    expect(kyc.PII_ENCRYPTION_KEYS).toEqual({ secretKeyRef: { name: 'kyc-platform-secrets', key: 'pii-keys' } });
    expect(kyc.KYC_VERSION).toBe('1.4.2');
    expect(kyc.AUTH_JWKS_URL).toBe('https://acme-auth:8080/.well-known/jwks.json');
    const gateway = envMap(container(render(platform(), 'gateway')));
    expect(gateway).not.toHaveProperty('DATABASE_URL');
    expect(gateway.REDIS_URL).toEqual({ secretKeyRef: { name: 'kyc-redis', key: 'url' } });
    expect(gateway.AUTH_JWKS_URL).toBe('https://acme-auth:8080/.well-known/jwks.json');
    const auth = envMap(container(render(platform(), 'auth')));
    // Only auth holds the token-signing keys: a compromised analytics (or any other) pod cannot mint a token.
    expect(auth.AUTH_SIGNING_KEYS).toEqual({ secretKeyRef: { name: 'kyc-platform-secrets', key: 'token-signing-keys' } });
    expect(auth).not.toHaveProperty('AUTH_JWKS_URL');
    for (const component of ['gateway', 'kyc', 'notification', 'analytics'] as const) {
      const env = envMap(container(render(platform(), component)));
      expect([component, env.AUTH_SIGNING_KEYS, env.AUTH_JWT_SECRET]).toEqual([component, undefined, undefined]);
      expect(env.AUTH_JWKS_URL).toBe('https://acme-auth:8080/.well-known/jwks.json');
    }
    expect(auth.ADMIN_EMAIL).toEqual({ secretKeyRef: { name: 'kyc-platform-secrets', key: 'admin-email', optional: true } });
    expect(auth).not.toHaveProperty('KAFKA_BROKERS');
  });

  it('gives the frontend no Secret, dependency, token key or trace endpoint, and its own small resources (least privilege)', () => {
    const traced = platform({
      profile: 'production',
      observability: {
        tracing: { otlpEndpoint: 'http://otel-collector.monitoring:4318', networkPeers: [{ ipBlock: { cidr: '10.0.0.9/32' } }] },
      },
    });
    const c = container(render(traced, 'frontend'));
    expect(c.args).toEqual(['frontend']);
    expect(c.env.filter((e) => e.valueFrom !== undefined)).toEqual([]);
    expect(c.env.map((e) => e.name).filter((name) => /^(DATABASE|REDIS|KAFKA|KMS|AUTH|ADMIN|PII|OTEL)_/.test(name))).toEqual([]);
    expect(c.env).toContainEqual({ name: 'KYC_TLS_DIR', value: '/var/run/kyc/tls' });
    // The same preset in every profile: static files from memory, Node.js's own footprint.
    expect(c.resources).toEqual({ requests: { cpu: '25m', memory: '128Mi' }, limits: { cpu: '250m', memory: '192Mi' } });
    expect(envMap(c).NODE_OPTIONS).toBe('--max-old-space-size=144');
    const gateway = envMap(container(render(traced, 'gateway')));
    expect(gateway.UPSTREAM_FRONTEND).toBe('https://acme-frontend-hl:8080');
    expect(gateway.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.monitoring:4318');
    const withoutApp = envMap(container(render(platform({ components: { frontend: { enabled: false } } }), 'gateway')));
    expect(withoutApp).not.toHaveProperty('UPSTREAM_FRONTEND');
  });

  it('points the gateway at the headless Services of the enabled upstreams (their pods) with the load-balancing settings', () => {
    const gateway = envMap(
      container(
        render(
          platform({
            loadBalancing: { strategy: 'least-connections', stickySessions: true },
            components: { analytics: { enabled: false } },
          }),
          'gateway',
        ),
      ),
    );
    expect(gateway.UPSTREAM_KYC).toBe('https://acme-kyc-hl:8080');
    expect(gateway.UPSTREAM_AUTH).toBe('https://acme-auth-hl:8080');
    expect(gateway.UPSTREAM_NOTIFICATION).toBe('https://acme-notification-hl:8080');
    expect(gateway).not.toHaveProperty('UPSTREAM_ANALYTICS');
    // spec.loadBalancing is a live setting (render/configmap.ts), never a variable.
    expect(Object.keys(gateway).filter((name) => name.startsWith('LB_'))).toEqual([]);
  });

  it('when two specs differ only in loadBalancing, then every Deployment is the same (pod template, its config hash, env): nothing rolls', () => {
    const plain = platform({});
    const balanced = platform({ loadBalancing: { strategy: 'ip-hash', stickySessions: true } });
    for (const component of ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const) {
      const [a, b] = [render(plain, component), render(balanced, component)];
      expect(b).toEqual(a);
      expect(b.spec.template.metadata).toEqual(a.spec.template.metadata); // kyc.dev/config-hash among its annotations
    }
    const colour = { color: 'blue', version: '1.4.2' } as const;
    expect(renderColorDeployment(balanced, 'gateway', colour)).toEqual(renderColorDeployment(plain, 'gateway', colour));
  });

  it('adds the user env after the operator env, replacing LOG_LEVEL in place', () => {
    const c = container(
      render(
        platform({
          components: {
            kyc: {
              env: [
                { name: 'LOG_LEVEL', value: 'debug' },
                { name: 'EXTRA', value: 'x' },
              ],
            },
          },
        }),
        'kyc',
      ),
    );
    const names = c.env.map((e) => e.name);
    expect(names.filter((n) => n === 'LOG_LEVEL')).toHaveLength(1);
    expect(envMap(c).LOG_LEVEL).toBe('debug');
    expect(names[names.length - 1]).toBe('EXTRA');
  });

  it('keeps the selector minimal and version-free, and spreads over zones and hosts', () => {
    const d = render(platform(), 'kyc');
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'kyc' });
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    const spread = d.spec.template.spec.topologySpreadConstraints as { topologyKey: string; whenUnsatisfiable: string }[];
    expect(spread.map((s) => [s.topologyKey, s.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
    ]);
  });

  it('applies placement', () => {
    const d = render(
      platform({
        placement: {
          nodeSelector: { pool: 'kyc' },
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'kyc', effect: 'NoSchedule' }],
        },
      }),
      'kyc',
    );
    expect(d.spec.template.spec.nodeSelector).toEqual({ pool: 'kyc' });
    expect(d.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'kyc', effect: 'NoSchedule' }]);
    expect(render(platform(), 'kyc').spec.template.spec).not.toHaveProperty('nodeSelector');
  });

  it('tells every pod of a colour its colour (KYC_COLOR, whatever the user env says), and a single Deployment none', () => {
    const p = platform({ components: { kyc: { env: [{ name: 'KYC_COLOR', value: 'green' }] } } });
    for (const component of ['kyc', 'notification', 'gateway'] as const) {
      const d = renderColorDeployment(p, component, { color: 'blue', version: '1.4.2' }) as unknown as DeploymentShape;
      const env = container(d).env.filter((e) => e.name === 'KYC_COLOR');
      expect(env).toEqual([{ name: 'KYC_COLOR', value: 'blue' }]);
    }
    expect(envMap(container(render(platform(), 'kyc')))).not.toHaveProperty('KYC_COLOR');
  });
});
