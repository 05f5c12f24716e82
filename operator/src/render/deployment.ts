// The Deployment of one component: the bundled image with the component as its argument, hardened pod
// security, probes on /ready and /livez, zone and host spreading, and spec.replicas only when no HPA
// owns the count (an applied replicas field would fight the HPA on every reconcile).
//
// Under the BlueGreen strategy a component has one Deployment per colour, `<platform>-<component>-blue`
// and `-green` (renderColorDeployment): the colour is in the selector and the pod labels, the colour's
// version in its template, and the gateway of a colour calls the upstreams of the same colour through
// their colour Services, so a gateway never talks to a service of another release. Every pod of a colour
// knows it (KYC_COLOR) and compares it with the active colour in the live settings: only the active
// colour consumes Kafka and runs sweeps (docs/releases.md, "Blue-green isolation").
import type { ComponentName } from '../api/components.js';
import { imageFor, imagePullPolicyOf, isAutoscaled, componentReplicas, resourcesFor } from '../api/defaults.js';
import { canonicalQuantity } from '../api/quantity.js';
import type { KycPlatform } from '../api/types.js';
import { configHash, LIVE_SETTINGS_KEY } from './configmap.js';
import { renderEnv, type EnvVar } from './env.js';
import { migrationInitContainers } from './migrate.js';
import { storeCaVolumeMounts, storeCaVolumes } from './store-tls.js';
import { headlessServiceName } from './service.js';
import { peerScheme, probeScheme, tlsVolumeMounts, tlsVolumes } from './tls.js';
import {
  CONFIG_HASH_ANNOTATION,
  COLOR_LABEL,
  HTTP_PORT,
  LIVE_SETTINGS_DIR,
  METRICS_PORT,
  VERSION_ANNOTATION,
  atVersion,
  colorObjectName,
  colorSelectorLabels,
  componentObjectName,
  configMapName,
  labels,
  objectMeta,
  selectorLabels,
  type Color,
} from './meta.js';
import type { KubeObject } from './types.js';

export const RUN_AS_USER = 10001;
const SECCOMP = { type: 'RuntimeDefault' };

function spreadConstraints(selector: Record<string, string>): unknown[] {
  // ScheduleAnyway: spread as well as the nodes allow, but never leave a pod pending for want of a zone.
  // pod-template-hash in matchLabelKeys: during a rollout old and new pods are spread separately.
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
  }));
}

function placement(platform: KycPlatform): Record<string, unknown> {
  const { nodeSelector, tolerations } = platform.spec.placement ?? {};
  return {
    ...(nodeSelector && Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    ...(tolerations && tolerations.length > 0 ? { tolerations } : {}),
  };
}

export function renderDeployment(platform: KycPlatform, component: ComponentName): KubeObject {
  return deploymentObject(platform, component, {
    name: componentObjectName(platform, component),
    selector: selectorLabels(platform, component),
    podLabels: labels(platform, component),
    replicas: isAutoscaled(platform.spec, component) ? undefined : componentReplicas(platform.spec, component),
  });
}

export interface ColorDeployment {
  color: Color;
  version: string;
  /** Replicas to set; undefined: the spec's fixed count, or none at all when the component is autoscaled (the HPA's). */
  replicas?: number | undefined;
}

/** One colour of a component under the BlueGreen strategy. */
export function renderColorDeployment(platform: KycPlatform, component: ComponentName, variant: ColorDeployment): KubeObject {
  const source = atVersion(platform, variant.version);
  const fixed = isAutoscaled(source.spec, component) ? undefined : componentReplicas(source.spec, component);
  const deployment = deploymentObject(source, component, {
    name: colorObjectName(source, component, variant.color),
    selector: colorSelectorLabels(source, component, variant.color),
    podLabels: { ...labels(source, component), [COLOR_LABEL]: variant.color },
    replicas: variant.replicas ?? fixed,
    color: variant.color,
  });
  const metadata = deployment.metadata;
  return {
    ...deployment,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, [COLOR_LABEL]: variant.color },
      annotations: { ...metadata.annotations, [VERSION_ANNOTATION]: variant.version },
    },
  };
}

/** The gateway of a colour resolves `<platform>-<upstream>-<color>-hl`: the pods of its own colour only. */
function colorUpstreams(platform: KycPlatform, env: EnvVar[], color: Color): EnvVar[] {
  return env.map((e) => {
    if (!e.name.startsWith('UPSTREAM_') || e.value === undefined) return e;
    const upstream = e.name.slice('UPSTREAM_'.length).toLowerCase() as ComponentName;
    const scheme = peerScheme(platform);
    const host = `${scheme}://${headlessServiceName(platform, upstream)}:`;
    return e.value.startsWith(host)
      ? { ...e, value: `${scheme}://${headlessServiceName(platform, upstream, color)}:${e.value.slice(host.length)}` }
      : e;
  });
}

interface DeploymentShape {
  name: string;
  selector: Record<string, string>;
  podLabels: Record<string, string>;
  replicas: number | undefined;
  /** The colour of a blue-green Deployment: KYC_COLOR, and the gateway's upstreams of that colour. */
  color?: Color;
}

/** KYC_COLOR last: set by the operator whatever the user's extra variables say (the colour decides what runs). */
function withColor(env: EnvVar[], color: Color | undefined): EnvVar[] {
  return color ? [...env.filter((e) => e.name !== 'KYC_COLOR'), { name: 'KYC_COLOR', value: color }] : env;
}

function deploymentObject(platform: KycPlatform, component: ComponentName, shape: DeploymentShape): KubeObject {
  const spec = platform.spec;
  const { name, selector } = shape;
  const resources = resourcesFor(spec, component);
  const env = withColor(renderEnv(platform, component), shape.color);
  // BuiltIn TLS (render/tls.ts): HTTPS probes, the certificate's Secret mounted. Nothing of the
  // certificate goes into the template, so its rotation restarts no pod.
  const tls = { probe: probeScheme(platform), mounts: tlsVolumeMounts(platform), volumes: tlsVolumes(platform, component) };
  const container = {
    name: component,
    image: imageFor(spec),
    imagePullPolicy: imagePullPolicyOf(spec),
    args: [component],
    // http: the API, /ready and /livez (the probes); metrics: /metrics and /health, for the
    // operator's scrapes and the monitoring namespace only (no Service port names it).
    ports: [
      { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    env: shape.color && component === 'gateway' ? colorUpstreams(platform, env, shape.color) : env,
    resources: {
      // The server's spelling (0.5 -> 500m), so the rendered object equals what the server returns.
      requests: { cpu: canonicalQuantity(resources.requests.cpu), memory: canonicalQuantity(resources.requests.memory) },
      limits: { cpu: canonicalQuantity(resources.limits.cpu), memory: canonicalQuantity(resources.limits.memory) },
    },
    // Every second, for up to 2 minutes: a new replica listens ~0.3 s after the process starts, and
    // the kubelet probes readiness only once this passes, so its period is the wait between a pod able
    // to serve and one that does (a scale-out's last seconds, docs/autoscaling.md). It stops probing
    // once it has passed, so the faster period costs nothing after start-up.
    startupProbe: { httpGet: { path: '/livez', port: 'http', ...tls.probe }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: 120 },
    readinessProbe: { httpGet: { path: '/ready', port: 'http', ...tls.probe }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
    // /livez answers while the process does; /health reports dependencies to SREs (a restart does
    // not fix PostgreSQL), so neither start-up nor liveness waits on them.
    livenessProbe: { httpGet: { path: '/livez', port: 'http', ...tls.probe }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 },
    // Let endpoints, kube-proxy and the gateways drop the pod before SIGTERM starts the drain: a
    // gateway sees the pod leave its upstream's headless Service after the cluster DNS's TTL (5 s on
    // the real node) plus its 2 s resolve interval (docs/workloads.md, "Load balancing"). 10 s
    // pause + 10 s drain (SHUTDOWN_GRACE_MS) stay inside the 30 s grace period.
    lifecycle: { preStop: { sleep: { seconds: 10 } } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: RUN_AS_USER,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: SECCOMP,
    },
    // A directory mount, not subPath: the kubelet updates a ConfigMap volume in place only when
    // the whole directory is mounted, and the services re-read the file while they run.
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'live-settings', mountPath: LIVE_SETTINGS_DIR, readOnly: true },
      ...storeCaVolumeMounts(spec, component),
      ...tls.mounts,
    ],
  };
  // Under PerComponent PostgreSQL credentials, the owner role migrates first (render/migrate.ts).
  const initContainers = migrationInitContainers(platform, component, container);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta(platform, name, component),
    spec: {
      ...(shape.replicas === undefined ? {} : { replicas: shape.replicas }),
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: selector },
      // Surge first, never take a ready replica away before its replacement is ready.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels: shape.podLabels, annotations: { [CONFIG_HASH_ANNOTATION]: configHash(platform) } },
        spec: {
          // One ServiceAccount per component, shared by its colours.
          serviceAccountName: componentObjectName(platform, component),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            fsGroup: RUN_AS_USER,
            seccompProfile: SECCOMP,
          },
          ...(initContainers.length > 0 && { initContainers }),
          containers: [container],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            {
              name: 'live-settings',
              configMap: {
                name: configMapName(platform),
                items: [{ key: LIVE_SETTINGS_KEY, path: LIVE_SETTINGS_KEY }],
                defaultMode: 0o444,
              },
            },
            ...storeCaVolumes(spec, component),
            ...tls.volumes,
          ],
          topologySpreadConstraints: spreadConstraints(selector),
          ...placement(platform),
        },
      },
    },
  };
}
