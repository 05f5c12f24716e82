import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { KycPlatformSpec } from '../api/types.js';
import { renderPodMonitors, wantsPodMonitors } from './podmonitor.js';

const withPodMonitor = (podMonitor: NonNullable<KycPlatformSpec['observability']>['podMonitor'], extra: Partial<KycPlatformSpec> = {}) =>
  platform({ profile: 'development', ...extra, observability: { podMonitor } });

describe('renderPodMonitors', () => {
  it('when spec.observability.podMonitor is absent or disabled, then none', () => {
    expect(renderPodMonitors(platform({ profile: 'development' }))).toEqual([]);
    expect(renderPodMonitors(withPodMonitor({ enabled: false }))).toEqual([]);
    expect(wantsPodMonitors(withPodMonitor({ enabled: false }))).toBe(false);
    expect(wantsPodMonitors(withPodMonitor({}))).toBe(true);
  });

  it('when asked for, then one per running component, selecting its pods of both colours on the metrics port', () => {
    const monitors = renderPodMonitors(withPodMonitor({}, { components: { analytics: { enabled: false } } }));
    expect(monitors.map((m) => m.metadata.name)).toEqual(['acme-gateway', 'acme-kyc', 'acme-auth', 'acme-notification', 'acme-frontend']);
    const [gateway] = monitors;
    expect(gateway).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { namespace: 'kyc-test' } });
    expect(gateway?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme', controller: true });
    expect((gateway?.spec as { selector: unknown }).selector).toEqual({
      matchLabels: {
        'app.kubernetes.io/instance': 'acme',
        'app.kubernetes.io/component': 'gateway',
        'app.kubernetes.io/name': 'kyc-platform',
      },
    });
  });

  it('under tls.mode BuiltIn (the default), then HTTPS verified with the platform CA against the Service name', () => {
    const [, kyc] = renderPodMonitors(withPodMonitor({ interval: '15s' }));
    expect((kyc?.spec as { podMetricsEndpoints: unknown }).podMetricsEndpoints).toEqual([
      {
        port: 'metrics',
        path: '/metrics',
        interval: '15s',
        scheme: 'https',
        tlsConfig: { ca: { secret: { name: 'acme-tls-ca', key: 'ca.crt' } }, serverName: 'acme-kyc' },
      },
    ]);
  });

  it('under tls.mode Disabled, then plain HTTP and no tlsConfig', () => {
    const [gateway] = renderPodMonitors(withPodMonitor({}, { tls: { mode: 'Disabled' } }));
    expect((gateway?.spec as { podMetricsEndpoints: unknown }).podMetricsEndpoints).toEqual([
      { port: 'metrics', path: '/metrics', scheme: 'http' },
    ]);
  });

  it("carries the extra labels (the one Prometheus selects by), and the platform's own labels win", () => {
    const [gateway] = renderPodMonitors(withPodMonitor({ labels: { release: 'kps', 'app.kubernetes.io/instance': 'other' } }));
    expect(gateway?.metadata.labels).toEqual({
      release: 'kps',
      'app.kubernetes.io/name': 'kyc-platform',
      'app.kubernetes.io/instance': 'acme',
      'app.kubernetes.io/component': 'gateway',
      'app.kubernetes.io/managed-by': 'kyc-operator',
    });
  });
});
