// Platforms as the plugin meets them, for its unit tests and the integration suite
// (test/integration/operator/kubectl-plugin.test.ts): a blue-green release just switched from blue 1.4.2
// to green 1.4.3 and in its rollback window, with an autoscaled kyc and a Fixed gateway.
import { platform } from '../../api/fixtures.js';
import type { KycPlatform, KycPlatformStatus, ReleaseStatus } from '../../api/types.js';
import type { DeploymentView } from '../summary.js';

/** The clock of the fixtures: 37 s after the switch, 24 s before the scale-down. */
export const NOW = new Date('2026-12-05T16:30:41Z');

export const SCALING_DOWN: ReleaseStatus = {
  phase: 'ScalingDown',
  activeColor: 'green',
  activeVersion: '1.4.3',
  previousColor: 'blue',
  previousVersion: '1.4.2',
  startedAt: '2026-12-05T16:29:12Z',
  phaseStartedAt: '2026-12-05T16:30:04Z',
  switchedAt: '2026-12-05T16:30:04Z',
  scaleDownAt: '2026-12-05T16:31:05Z',
  message: 'green serves version 1.4.3; blue scales down at 2026-12-05T16:31:05Z',
};

export const KYC_SCALING = {
  mode: 'Autoscaled' as const,
  minReplicas: 3,
  maxReplicas: 20,
  currentReplicas: 4,
  desiredReplicas: 5,
  reason: 'kafka lag 420 / 100 per pod → 5',
  fallback: false,
  metrics: [{ name: 'kafka-consumer-lag', value: '420', target: '100 per pod', replicas: 5, message: 'kafka lag 420 / 100 per pod → 5' }],
};

/**
 * A blue-green platform at `release` (default: SCALING_DOWN, spec.version 1.4.3), status as the operator
 * writes it; `null`: a platform without blue-green (RollingUpdate).
 */
export function releasedPlatform(given: ReleaseStatus | null = SCALING_DOWN, status: Partial<KycPlatformStatus> = {}): KycPlatform {
  const release = given ?? undefined;
  const base = platform({
    version:
      release?.phase === 'ScalingDown' || release?.phase === 'Idle'
        ? (release.activeVersion ?? '1.4.3')
        : (release?.previewVersion ?? '1.4.3'),
    ...(release ? { release: { strategy: 'BlueGreen' as const, autoPromote: false } } : {}),
    components: {
      gateway: { replicas: 2 },
      kyc: { autoscaling: { enabled: true, minReplicas: 3, fallback: { replicas: 6 } } },
      auth: { enabled: false },
      notification: { enabled: false },
      analytics: { enabled: false },
      frontend: { enabled: false },
    },
    autoscaling: {
      enabled: false,
      schedules: [{ name: 'business-hours', timezone: 'Asia/Kolkata', start: '09:00', end: '18:00', minReplicas: 6, components: ['kyc'] }],
    },
  });
  return {
    ...base,
    metadata: { ...base.metadata, generation: 3 },
    status: {
      observedGeneration: 3,
      phase: 'Ready',
      activeVersion: release?.activeVersion,
      activeColor: release?.activeColor,
      readyComponents: '2/2',
      components: { gateway: { desired: 2, ready: 2, updated: 2, available: 2 }, kyc: { desired: 4, ready: 4, updated: 4, available: 4 } },
      release,
      scaling: {
        gateway: { mode: 'Fixed', minReplicas: 2, maxReplicas: 2, reason: 'fixed at 2 replicas' },
        kyc: KYC_SCALING,
      },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'AllComponentsReady',
          message: '2/2 components ready at version 1.4.3',
          lastTransitionTime: '2026-12-05T16:30:05Z',
        },
        {
          type: 'Degraded',
          status: 'False',
          reason: 'AsExpected',
          message: 'no problems found',
          lastTransitionTime: '2026-12-05T15:00:00Z',
        },
        {
          type: 'ReleaseFailed',
          status: 'False',
          reason: 'AsExpected',
          message: 'no failed release',
          lastTransitionTime: '2026-12-05T15:00:00Z',
        },
        {
          type: 'ScalingActive',
          status: 'True',
          reason: 'ValidMetricFound',
          message: 'the HPAs read their metrics',
          lastTransitionTime: '2026-12-05T15:00:00Z',
        },
      ],
      ...status,
    },
  };
}

/** The live Deployments of releasedPlatform(): both colours of gateway and kyc. */
export function releasedDeployments(): DeploymentView[] {
  const deployment = (component: string, color: string, version: string, replicas: number): DeploymentView => ({
    metadata: {
      name: `acme-${component}-${color}`,
      generation: 2,
      labels: { 'app.kubernetes.io/component': component, 'app.kubernetes.io/instance': 'acme', 'kyc.dev/color': color },
      annotations: { 'kyc.dev/version': version },
    },
    spec: { replicas },
    status: { observedGeneration: 2, replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas },
  });
  return [
    deployment('gateway', 'blue', '1.4.2', 2),
    deployment('gateway', 'green', '1.4.3', 2),
    deployment('kyc', 'blue', '1.4.2', 4),
    deployment('kyc', 'green', '1.4.3', 4),
  ];
}
