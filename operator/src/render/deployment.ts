// The Deployment of one component: the bundled image with the component as its argument, hardened pod
// security, probes on /ready and /health, zone and host spreading, and spec.replicas only when no HPA
// owns the count (an applied replicas field would fight the HPA on every reconcile).
import type { ComponentName } from '../api/components.js';
import { imageFor, imagePullPolicyOf, isAutoscaled, componentReplicas, resourcesFor } from '../api/defaults.js';
import { canonicalQuantity } from '../api/quantity.js';
import type { KycPlatform } from '../api/types.js';
import { configHash } from './configmap.js';
import { renderEnv } from './env.js';
import { CONFIG_HASH_ANNOTATION, HTTP_PORT, componentObjectName, labels, objectMeta, selectorLabels } from './meta.js';
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
  const spec = platform.spec;
  const name = componentObjectName(platform, component);
  const selector = selectorLabels(platform, component);
  const resources = resourcesFor(spec, component);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta(platform, name, component),
    spec: {
      ...(isAutoscaled(spec, component) ? {} : { replicas: componentReplicas(spec, component) }),
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: selector },
      // Surge first, never take a ready replica away before its replacement is ready.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels: labels(platform, component), annotations: { [CONFIG_HASH_ANNOTATION]: configHash(platform) } },
        spec: {
          serviceAccountName: name,
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
          containers: [
            {
              name: component,
              image: imageFor(spec),
              imagePullPolicy: imagePullPolicyOf(spec),
              args: [component],
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              env: renderEnv(platform, component),
              resources: {
                // The server's spelling (0.5 -> 500m), so the rendered object equals what the server returns.
                requests: { cpu: canonicalQuantity(resources.requests.cpu), memory: canonicalQuantity(resources.requests.memory) },
                limits: { cpu: canonicalQuantity(resources.limits.cpu), memory: canonicalQuantity(resources.limits.memory) },
              },
              startupProbe: { httpGet: { path: '/livez', port: 'http' }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 60 },
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
              // /livez answers while the process does; /health reports dependencies to SREs (a restart does
              // not fix PostgreSQL), so neither start-up nor liveness waits on them.
              livenessProbe: { httpGet: { path: '/livez', port: 'http' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 },
              // Let endpoints and kube-proxy drop the pod before SIGTERM starts the drain.
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS_USER,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: SECCOMP,
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          topologySpreadConstraints: spreadConstraints(selector),
          ...placement(platform),
        },
      },
    },
  };
}
