// Prometheus Operator PodMonitors (monitoring.coreos.com/v1) for spec.observability.podMonitor
// (docs/observability.md, "Wiring it into a cluster's Prometheus"): one per component, so that each can
// name the certificate its pods serve. The kind exists only where the Prometheus Operator's CRD is
// installed: reconcile/optional-kind.ts writes them there and nowhere else. Returns [] when not asked for.
import { desiredComponentNames, tlsEnabled } from '../api/defaults.js';
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import { APP_NAME, componentObjectName, selectorLabels, unversionedObjectMeta } from './meta.js';
import { caSecretName } from './tls.js';
import type { KubeObject } from './types.js';

export const POD_MONITOR = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', plural: 'podmonitors' } as const;
export const POD_MONITOR_CRD = 'podmonitors.monitoring.coreos.com';
/** The Event reason when PodMonitors are asked for and the cluster has no Prometheus Operator. */
export const REASON_POD_MONITOR_NOT_INSTALLED = 'PodMonitorNotInstalled';

/** Does the platform ask for PodMonitors? */
export function wantsPodMonitors(platform: KycPlatform): boolean {
  const podMonitor = platform.spec.observability?.podMonitor;
  return podMonitor !== undefined && podMonitor.enabled !== false;
}

export function renderPodMonitors(platform: KycPlatform): KubeObject[] {
  if (!wantsPodMonitors(platform)) return [];
  return desiredComponentNames(platform.spec).map((component) => renderPodMonitor(platform, component));
}

function renderPodMonitor(platform: KycPlatform, component: ComponentName): KubeObject {
  const settings = platform.spec.observability?.podMonitor ?? {};
  const meta = unversionedObjectMeta(platform, componentObjectName(platform, component), component);
  return {
    apiVersion: POD_MONITOR.apiVersion,
    kind: POD_MONITOR.kind,
    // The platform's labels win over the extra ones: the operator finds its objects by them.
    metadata: { ...meta, labels: { ...settings.labels, ...meta.labels } },
    spec: {
      // Both colours of a blue-green release: they share these labels (the colour is a label of its own).
      selector: { matchLabels: { ...selectorLabels(platform, component), 'app.kubernetes.io/name': APP_NAME } },
      podMetricsEndpoints: [
        {
          // The container port named `metrics` (9090): /metrics, never on the public 8080.
          port: 'metrics',
          path: '/metrics',
          ...(settings.interval ? { interval: settings.interval } : {}),
          ...(tlsEnabled(platform.spec)
            ? {
                // HTTPS under tls.mode BuiltIn (docs/security.md, "TLS between the components"): verified
                // with the platform's trust bundle, against the component's Service name, which every
                // pod's certificate carries (a pod IP is not among its names).
                scheme: 'https',
                tlsConfig: {
                  ca: { secret: { name: caSecretName(platform), key: 'ca.crt' } },
                  serverName: componentObjectName(platform, component),
                },
              }
            : { scheme: 'http' }),
        },
      ],
    },
  };
}
