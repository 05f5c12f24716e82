// spec.observability.podMonitor against the local API server (docs/observability.md): without the
// Prometheus Operator's PodMonitor CRD the operator writes none and says so in an Event; with it (a
// minimal copy, fixtures/podmonitor-crd.yaml) each component gets a PodMonitor with the right selector,
// port and scheme. The CRD is cluster-wide: the suite removes it before and after, and the second
// operator starts after it is installed (an operator looks for the CRD at most once a minute).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { RunningOperator } from '../../../operator/src/manager.js';
import { CRD } from '../../../operator/src/reconcile/optional-kind.js';
import { POD_MONITOR_TYPE } from '../../../operator/src/reconcile/pod-monitors.js';
import type { PlatformResource } from '../../../operator/src/reconcile/platform.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import type { KubeClient, KubeResource } from '../../../operator/src/runtime/kube.js';
import * as yaml from 'js-yaml';
import { eventually } from '../../support/env.js';
import { developmentPlatform, PLATFORM, startTestOperator, withTestOperator } from './support.js';

const CRD_NAME = 'podmonitors.monitoring.coreos.com';

async function removeCrd(client: KubeClient): Promise<void> {
  if (!(await client.get(CRD, '', CRD_NAME))) return;
  await client.delete(CRD, '', CRD_NAME);
  await eventually('the PodMonitor CRD to be gone', async () => ((await client.get(CRD, '', CRD_NAME)) ? undefined : true), 60_000);
}

const suite = withTestOperator('op-podmon', {
  // The first operator starts in a cluster without the CRD.
  start: async (namespace) => {
    await removeCrd(suite.client);
    return startTestOperator({ namespace });
  },
});
let second: RunningOperator | undefined;

afterAll(async () => {
  await second?.stop();
  await removeCrd(suite.client);
}, 90_000);

function monitored(name: string, extra: Partial<PlatformResource['spec']> = {}): PlatformResource {
  const platform = developmentPlatform(suite.namespace, name);
  return {
    ...platform,
    spec: { ...platform.spec, ...extra, observability: { podMonitor: { labels: { release: 'kps' }, interval: '15s' } } },
  };
}

type PodMonitor = KubeResource & {
  spec: {
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: { port: string; path: string; interval?: string; scheme: string; tlsConfig?: unknown }[];
  };
};

async function podMonitorsOf(instance: string, count: number): Promise<PodMonitor[]> {
  return eventually(`${count} PodMonitors of ${instance}`, async () => {
    const { items } = await suite.client.list<PodMonitor>(POD_MONITOR_TYPE, suite.namespace, {
      labelSelector: `app.kubernetes.io/instance=${instance}`,
    });
    return items.length === count ? items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)) : undefined;
  });
}

describe('spec.observability.podMonitor', () => {
  it('when the PodMonitor CRD is absent, then the platform rolls out without them and the Event PodMonitorNotInstalled says why', async () => {
    await suite.client.create(PLATFORM, suite.namespace, monitored('absent'));
    const messages = await eventually('the PodMonitorNotInstalled Event', async () => {
      const { items } = await suite.client.list<KubeResource & { reason?: string; message?: string; involvedObject?: { name?: string } }>(
        EVENT,
        suite.namespace,
      );
      const found = items.filter((e) => e.reason === 'PodMonitorNotInstalled' && e.involvedObject?.name === 'absent');
      return found.length > 0 ? found.map((e) => e.message) : undefined;
    });
    expect(messages[0]).toBe(
      'spec.observability.podMonitor is set but the cluster has no podmonitors.monitoring.coreos.com CustomResourceDefinition (the Prometheus Operator): no PodMonitor written',
    );
    expect(await suite.client.get(CRD, '', CRD_NAME)).toBeUndefined();
  });

  it('when the CRD is installed, then a PodMonitor per component: its pods, port metrics, HTTPS with the platform CA (tls BuiltIn) or HTTP (Disabled)', async () => {
    const [crd] = yaml.loadAll(readFileSync(new URL('./fixtures/podmonitor-crd.yaml', import.meta.url), 'utf8')) as KubeResource[];
    if (!crd) throw new Error('the PodMonitor CRD fixture is empty');
    await suite.client.apply(CRD, crd, 'kyc-operator-tests');
    await eventually('PodMonitors to be served', async () =>
      (await suite.client.list(POD_MONITOR_TYPE, suite.namespace).then(
        () => true,
        () => false,
      ))
        ? true
        : undefined,
    );
    await suite.operator.stop();
    second = await startTestOperator({ namespace: suite.namespace });

    const builtIn = await podMonitorsOf('absent', 6);
    expect(builtIn.map((m) => m.metadata.name)).toEqual([
      'absent-analytics',
      'absent-auth',
      'absent-frontend',
      'absent-gateway',
      'absent-kyc',
      'absent-notification',
    ]);
    const kyc = builtIn.find((m) => m.metadata.name === 'absent-kyc') as PodMonitor;
    expect(kyc.metadata.labels).toMatchObject({ release: 'kps', 'app.kubernetes.io/managed-by': 'kyc-operator' });
    expect(kyc.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'absent' });
    expect(kyc.spec.selector).toEqual({
      matchLabels: {
        'app.kubernetes.io/instance': 'absent',
        'app.kubernetes.io/component': 'kyc',
        'app.kubernetes.io/name': 'kyc-platform',
      },
    });
    expect(kyc.spec.podMetricsEndpoints).toEqual([
      {
        port: 'metrics',
        path: '/metrics',
        interval: '15s',
        scheme: 'https',
        tlsConfig: { ca: { secret: { name: 'absent-tls-ca', key: 'ca.crt' } }, serverName: 'absent-kyc' },
      },
    ]);

    await suite.client.create(PLATFORM, suite.namespace, monitored('plain', { tls: { mode: 'Disabled' } }));
    const plain = await podMonitorsOf('plain', 6);
    for (const monitor of plain)
      expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', scheme: 'http' }]);
  });
});
