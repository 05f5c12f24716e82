import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderPlatform } from './index.js';
import { OWNED_KINDS } from './types.js';

describe('renderPlatform', () => {
  it('renders every object of a production platform in kind order, then component order', () => {
    const objects = renderPlatform(platform({ profile: 'production', ingress: { host: 'kyc.example.com' } }));
    const kinds = objects.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'HorizontalPodAutoscaler')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'NetworkPolicy')).toHaveLength(7);
    expect(kinds.filter((k) => k === 'Ingress')).toHaveLength(1);
    const order = OWNED_KINDS.map((k) => k.kind as string);
    const positions = kinds.map((k) => order.indexOf(k));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual([
      'acme-gateway',
      'acme-kyc',
      'acme-auth',
      'acme-notification',
      'acme-analytics',
      'acme-frontend',
      // The headless Services the gateway resolves to the pods of its upstreams.
      'acme-kyc-hl',
      'acme-auth-hl',
      'acme-notification-hl',
      'acme-analytics-hl',
      'acme-frontend-hl',
    ]);
  });

  it('with provider keda, renders a KEDA ScaledObject in place of each HPA', () => {
    const objects = renderPlatform(platform({ profile: 'production', autoscaling: { provider: 'keda' } }));
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ScaledObject').map((o) => o.metadata.name)).toEqual([
      'acme-gateway',
      'acme-kyc',
      'acme-auth',
      'acme-notification',
      'acme-analytics',
      'acme-frontend',
    ]);
  });

  it('has no HPA in development and nothing for a disabled component', () => {
    const objects = renderPlatform(platform({ profile: 'development', components: { notification: { enabled: false } } }));
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(objects.some((o) => o.metadata.name === 'acme-notification')).toBe(false);
  });

  it('labels and owns every object in the platform namespace; the version only on what runs it', () => {
    for (const o of renderPlatform(platform({ ingress: { host: 'kyc.example.com' } }))) {
      expect(o.metadata.namespace).toBe('kyc-test');
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'kyc-operator',
        'app.kubernetes.io/instance': 'acme',
        'app.kubernetes.io/name': 'kyc-platform',
      });
      const runsVersion = o.kind === 'Deployment' || o.kind === 'CronJob';
      expect(o.metadata.labels?.['app.kubernetes.io/version']).toBe(runsVersion ? '1.4.2' : undefined);
      expect(o.metadata.labels?.['app.kubernetes.io/component']).toMatch(/^(gateway|kyc|auth|notification|analytics|frontend|platform)$/);
      expect(o.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'kyc.dev/v1alpha1',
          kind: 'KycPlatform',
          name: 'acme',
          uid: '7d5c1f1e-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
  });

  it('is deterministic and does not mutate its input', () => {
    const p = platform({
      featureFlags: { 'sanctions-screening': true, 'automatic-checks': false },
      loadBalancing: { strategy: 'ip-hash', stickySessions: true },
    });
    const before = JSON.stringify(p);
    expect(JSON.stringify(renderPlatform(p))).toBe(JSON.stringify(renderPlatform(structuredClone(p))));
    expect(JSON.stringify(p)).toBe(before);
    expect(JSON.stringify(renderPlatform(p))).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('only changes labels and the pod template when the version changes, never a selector', () => {
    const a = renderPlatform(platform({ version: '1.0.0' }));
    const b = renderPlatform(platform({ version: '1.1.0' }));
    const selectors = (objs: typeof a) => JSON.stringify(objs.map((o) => (o.spec as { selector?: unknown } | undefined)?.selector));
    expect(selectors(a)).toBe(selectors(b));
  });

  it('when the version changes, then only the Deployments (and the backup CronJob) differ: a release or a rollback rewrites nothing else', () => {
    const spec = {
      profile: 'production' as const,
      ingress: { host: 'kyc.example.com' },
      backup: { schedule: '30 2 * * *', bucket: 'kyc-backups', encryptionKeySecretRef: { name: 'kyc-backup-key' } },
    };
    const a = renderPlatform(platform({ ...spec, version: '1.0.0' }));
    const b = renderPlatform(platform({ ...spec, version: '1.1.0' }));
    expect(a.map((o) => o.kind)).toContain('CronJob');
    const changed = a.filter((o, i) => JSON.stringify(o) !== JSON.stringify(b[i])).map((o) => `${o.kind} ${o.metadata.name}`);
    expect(changed).toEqual([
      'Deployment acme-gateway',
      'Deployment acme-kyc',
      'Deployment acme-auth',
      'Deployment acme-notification',
      'Deployment acme-analytics',
      'Deployment acme-frontend',
      'CronJob acme-backup',
    ]);
  });

  it('refuses a platform without a uid (owner references need one)', () => {
    const p = platform();
    delete p.metadata.uid;
    expect(() => renderPlatform(p)).toThrow('no metadata.uid');
  });
});
