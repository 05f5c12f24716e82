// The ClusterIP Service in front of a component's pods (the gateway's upstreams point at these).
//
// Under the BlueGreen strategy every component has three kinds of Service:
// - the active Service `<platform>-<component>` (the same name as without blue-green, so every URL that
//   names it stays valid) selects the active colour; the release switches all of them in one pass;
// - the preview Service `<platform>-<component>-preview` selects the colour being released (the smoke
//   check calls it);
// - the colour Services `<platform>-<upstream>-blue|green` of the gateway's upstreams: the gateway of
//   a colour calls them, so a request never crosses from one release to another.
//
// Beside each ClusterIP Service the gateway calls, a headless one (`<platform>-<upstream>-hl`, per
// colour `<platform>-<upstream>-<color>-hl`; `-hl` keeps the longest name, notification-green with a
// 40-character platform, within 63): its DNS A records are the addresses of the ready pods, which is
// how the gateway finds the pods it balances over (docs/workloads.md, "Load balancing"). The
// ClusterIP Services stay for everything else (the release's smoke checks, AUTH_JWKS_URL, the NodePort).
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import {
  HTTP_PORT,
  colorObjectName,
  colorSelectorLabels,
  componentObjectName,
  unversionedObjectMeta,
  previewServiceName,
  selectorLabels,
  type Color,
} from './meta.js';
import type { KubeObject } from './types.js';

function service(platform: KycPlatform, component: ComponentName, name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: unversionedObjectMeta(platform, name, component),
    // No `type`: ClusterIP is the server's default, and leaving the field unowned lets an admin (or
    // `make up`) expose the active gateway Service as a NodePort or LoadBalancer with their own field
    // manager; it then follows every switch of the release instead of selecting both colours.
    // Whoever exposes it that way also sets `externalTrafficPolicy: Local` (hack/up.sh does): with the
    // default Cluster policy kube-proxy SNATs a NodePort connection to the node's address, so every
    // client would look like one address to the gateway, which takes the socket address as the client's
    // when no trusted proxy sits in front (GATEWAY_TRUSTED_PROXIES empty) — one client could then
    // exhaust the per-client rate limits and login backoff of everyone. The operator cannot set it: the
    // API server rejects externalTrafficPolicy on a ClusterIP Service.
    // Only the http port: /metrics and /health are on the pods' metrics port, which no Service exposes.
    spec: {
      selector,
      ports: [{ name: 'http', port: HTTP_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/**
 * The headless Service of an upstream: no cluster IP, so the cluster DNS answers its name with one A
 * record per ready pod. `publishNotReadyAddresses: false` (the default, stated because discovery relies
 * on it): a pod that is not ready yet, or is terminating, is not in the answer, so the gateway never
 * sends it a request it did not send before the pod's readiness went.
 */
function headlessService(platform: KycPlatform, component: ComponentName, name: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: unversionedObjectMeta(platform, name, component),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector,
      ports: [{ name: 'http', port: HTTP_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** `<platform>-<upstream>-hl`, or `<platform>-<upstream>-<color>-hl` for the gateway of a colour. */
export function headlessServiceName(platform: KycPlatform, component: ComponentName, color?: Color): string {
  return `${color ? colorObjectName(platform, component, color) : componentObjectName(platform, component)}-hl`;
}

/** The headless Service of an upstream's pods (every pod of the component, whatever its colour). */
export function renderHeadlessService(platform: KycPlatform, component: ComponentName): KubeObject {
  return headlessService(platform, component, headlessServiceName(platform, component), selectorLabels(platform, component));
}

/** The headless Service of one colour's pods of an upstream: the gateway of that colour resolves it. */
export function renderColorHeadlessService(platform: KycPlatform, component: ComponentName, color: Color): KubeObject {
  return headlessService(
    platform,
    component,
    headlessServiceName(platform, component, color),
    colorSelectorLabels(platform, component, color),
  );
}

export function renderService(platform: KycPlatform, component: ComponentName): KubeObject {
  return service(platform, component, componentObjectName(platform, component), selectorLabels(platform, component));
}

/** The active Service; `color` undefined while the platform still runs one Deployment per component. */
export function renderActiveService(platform: KycPlatform, component: ComponentName, color: Color | undefined): KubeObject {
  const selector = color ? colorSelectorLabels(platform, component, color) : selectorLabels(platform, component);
  return service(platform, component, componentObjectName(platform, component), selector);
}

export function renderPreviewService(platform: KycPlatform, component: ComponentName, color: Color): KubeObject {
  return service(platform, component, previewServiceName(platform, component), colorSelectorLabels(platform, component, color));
}

export function renderColorService(platform: KycPlatform, component: ComponentName, color: Color): KubeObject {
  return service(platform, component, colorObjectName(platform, component, color), colorSelectorLabels(platform, component, color));
}
