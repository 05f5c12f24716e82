// KEDA ScaledObject (keda.sh/v1alpha1) for an autoscaled component of a platform with
// spec.autoscaling.provider: keda (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"): in a
// cluster where KEDA holds external.metrics.k8s.io the operator cannot serve its own custom metrics, so
// KEDA reads them instead and creates the HPA (keda-hpa-<name>) itself. The same settings as the
// builtin HPA (render/hpa.ts), mapped onto KEDA's triggers: CPU and memory, the Kafka lag, the request
// rate and latency through Prometheus, the business-hours windows as cron triggers, and the fallback.
// Returns undefined when the component has a fixed replica count.
import { LAG_READER_KEYS, type ComponentName } from '../api/components.js';
import { autoscalingFor } from '../api/defaults.js';
import { componentMetrics, type ComponentMetric } from '../api/metrics.js';
import { latencyQuery, requestRateQuery } from '../api/promql.js';
import type { KycPlatform, KycPlatformSpec } from '../api/types.js';
import { scaleUpBehavior } from './hpa.js';
import { componentObjectName, unversionedObjectMeta } from './meta.js';
import { STORE_CA_KEY } from './store-tls.js';
import type { KubeObject } from './types.js';

export const SCALED_OBJECT = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', plural: 'scaledobjects' } as const;
export const TRIGGER_AUTHENTICATION = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'TriggerAuthentication',
  plural: 'triggerauthentications',
} as const;

/** The env variable the kyc, notification and analytics containers read their brokers from (the workload contract). */
const BROKERS_ENV = 'KAFKA_BROKERS';

type Schedule = NonNullable<NonNullable<KycPlatformSpec['autoscaling']>['schedules']>[number];
type Trigger = Record<string, unknown>;

/** Does this platform scale through KEDA? */
export function usesKeda(spec: KycPlatformSpec): boolean {
  return spec.autoscaling?.provider === 'keda';
}

export function renderScaledObject(platform: KycPlatform, component: ComponentName): KubeObject | undefined {
  const scaling = autoscalingFor(platform.spec, component);
  if (!scaling.enabled) return undefined;
  const name = componentObjectName(platform, component);
  const custom = componentMetrics(platform, component).flatMap((metric) => metricTriggers(platform, component, metric));
  const resourceMetrics = platform.spec.autoscaling?.resourceMetrics !== false || custom.length === 0;
  const declared = platform.spec.components?.[component]?.autoscaling?.fallback ?? platform.spec.autoscaling?.fallback;
  // KEDA refuses a fallback beside a trigger whose metricType is not AverageValue (latency is a Value
  // target) and beside cpu/memory triggers: then there is none, and docs/autoscaling.md says so.
  const fallbackAllowed = !resourceMetrics && custom.every((t) => t.metricType === 'AverageValue');
  const scaleUp = scaleUpBehavior(platform.spec, component);
  return {
    apiVersion: SCALED_OBJECT.apiVersion,
    kind: SCALED_OBJECT.kind,
    metadata: unversionedObjectMeta(platform, name, component),
    spec: {
      // envSourceContainerName: KEDA resolves KAFKA_BROKERS (from the platform's Kafka Secret) in this container.
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name, envSourceContainerName: component },
      minReplicaCount: scaling.minReplicas,
      maxReplicaCount: scaling.maxReplicas,
      ...(declared && fallbackAllowed
        ? { fallback: { failureThreshold: declared.failureThreshold ?? 3, replicas: Math.min(scaling.maxReplicas, declared.replicas) } }
        : {}),
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: { scaleDown: { stabilizationWindowSeconds: scaling.scaleDownStabilizationSeconds }, ...(scaleUp ? { scaleUp } : {}) },
        },
      },
      triggers: [
        ...(resourceMetrics
          ? [
              { type: 'cpu', metricType: 'Utilization', metadata: { value: String(scaling.targetCPUUtilizationPercentage) } },
              { type: 'memory', metricType: 'Utilization', metadata: { value: String(scaling.targetMemoryUtilizationPercentage) } },
            ]
          : []),
        ...custom,
        ...cronTriggers(platform.spec.autoscaling?.schedules, component, scaling.maxReplicas),
      ],
    },
  };
}

/** `<platform>-kafka-lag`: the TriggerAuthentication of the platform's kafka triggers. */
export function kafkaTriggerAuthenticationName(platform: KycPlatform): string {
  return `${platform.metadata.name}-kafka-lag`;
}

/** Does KEDA need more than the brokers to read this platform's Kafka (TLS, or the lag reader's own user)? */
function kafkaAuthentication(spec: KycPlatformSpec): { tls: boolean; sasl: boolean } | undefined {
  const kafka = spec.dependencies?.kafka;
  const tls = kafka?.tls === 'Required';
  const sasl = kafka?.credentials === 'PerComponent';
  return tls || sasl ? { tls, sasl } : undefined;
}

/**
 * The TriggerAuthentication (keda.sh/v1alpha1) that KEDA's kafka triggers of a provider keda platform
 * sign in with when its Kafka needs TLS or SCRAM (spec.dependencies.kafka.tls Required, credentials
 * PerComponent): the CA and the lag reader's read-only user, taken by KEDA from the platform's own Kafka
 * Secret (secretTargetRef), so no credential is copied into a KEDA object. The same identity as the
 * operator's builtin lag reader (docs/security.md, "Kafka"). Undefined when no autoscaled component reads
 * Kafka lag, or the Kafka needs neither.
 */
export function renderKafkaTriggerAuthentication(platform: KycPlatform, components: readonly ComponentName[]): KubeObject | undefined {
  const kafka = platform.spec.dependencies?.kafka;
  const auth = kafkaAuthentication(platform.spec);
  if (!usesKeda(platform.spec) || !kafka || !auth) return undefined;
  const readsLag = components.some(
    (c) => autoscalingFor(platform.spec, c).enabled && componentMetrics(platform, c).some((m) => m.kind === 'queueLag'),
  );
  if (!readsLag) return undefined;
  const secret = kafka.secretRef.name;
  return {
    apiVersion: TRIGGER_AUTHENTICATION.apiVersion,
    kind: TRIGGER_AUTHENTICATION.kind,
    metadata: unversionedObjectMeta(platform, kafkaTriggerAuthenticationName(platform), 'platform'),
    spec: {
      secretTargetRef: [
        ...(auth.tls ? [{ parameter: 'ca', name: secret, key: STORE_CA_KEY }] : []),
        ...(auth.sasl
          ? [
              { parameter: 'username', name: secret, key: LAG_READER_KEYS.username },
              { parameter: 'password', name: secret, key: LAG_READER_KEYS.password },
            ]
          : []),
      ],
    },
  };
}

function metricTriggers(platform: KycPlatform, component: ComponentName, metric: ComponentMetric): Trigger[] {
  const { name: platformName, namespace = '' } = platform.metadata;
  if (metric.kind === 'queueLag') {
    // The brokers are in the platform's Kafka Secret: KEDA reads them from the container's env (which
    // takes them from that Secret), so no broker list is copied into the ScaledObject. KEDA's trigger
    // takes one topic; without topics it sums every topic the group has committed offsets for.
    // A Kafka behind TLS or SCRAM: the mode here, the CA and the user in the TriggerAuthentication.
    const auth = kafkaAuthentication(platform.spec);
    const base = {
      bootstrapServersFromEnv: BROKERS_ENV,
      consumerGroup: metric.group,
      lagThreshold: String(metric.target),
      ...(auth?.tls ? { tls: 'enable' } : {}),
      ...(auth?.sasl ? { sasl: 'scram_sha512' } : {}),
    };
    const topics = metric.topics ?? [];
    return (topics.length > 0 ? topics.map((topic) => ({ ...base, topic })) : [base]).map((metadata) => ({
      type: 'kafka',
      metricType: 'AverageValue',
      metadata,
      ...(auth ? { authenticationRef: { name: kafkaTriggerAuthenticationName(platform) } } : {}),
    }));
  }
  const serverAddress = platform.spec.autoscaling?.keda?.prometheusServerAddress;
  if (!serverAddress)
    throw new Error(
      `spec.autoscaling.keda.prometheusServerAddress is required: ${component} scales on ${metric.kind} with provider keda, which KEDA reads from Prometheus`,
    );
  if (metric.kind === 'requestRate')
    return [
      {
        type: 'prometheus',
        metricType: 'AverageValue',
        metadata: { serverAddress, query: requestRateQuery(namespace, component, platformName), threshold: String(metric.target) },
      },
    ];
  return [
    {
      type: 'prometheus',
      metricType: 'Value',
      metadata: {
        serverAddress,
        query: latencyQuery(namespace, component, platformName, metric.percentile),
        threshold: String(metric.target),
      },
    },
  ];
}

const DAY_NUMBERS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Business-hours windows as KEDA cron triggers: the window's minReplicas as the trigger's
 * desiredReplicas (KEDA takes the highest trigger, as the builtin floor does). An overnight window
 * (end not after start) ends on the next day. Holidays have no cron form: KEDA opens the window on them.
 */
export function cronTriggers(schedules: readonly Schedule[] | undefined, component: ComponentName, maxReplicas: number): Trigger[] {
  return (schedules ?? [])
    .filter((s) => !s.components || s.components.length === 0 || s.components.includes(component))
    .map((schedule) => {
      const [startHour, startMinute] = clock(schedule.start);
      const [endHour, endMinute] = clock(schedule.end);
      const overnight = endHour * 60 + endMinute <= startHour * 60 + startMinute;
      const days = schedule.days && schedule.days.length > 0 ? schedule.days.map((d) => DAY_NUMBERS[d] ?? 0) : undefined;
      const list = (shift: number): string => (days ? days.map((d) => (d + shift) % 7).join(',') : '*');
      return {
        type: 'cron',
        name: `schedule-${schedule.name}`,
        // Stated, not left to KEDA's default: a fallback is allowed only beside AverageValue triggers.
        metricType: 'AverageValue',
        metadata: {
          timezone: schedule.timezone ?? 'UTC',
          start: `${startMinute} ${startHour} * * ${list(0)}`,
          end: `${endMinute} ${endHour} * * ${list(overnight ? 1 : 0)}`,
          desiredReplicas: String(Math.min(maxReplicas, schedule.minReplicas)),
        },
      };
    });
}

function clock(hhmm: string): [number, number] {
  const [hours = '0', minutes = '0'] = hhmm.split(':');
  return [Number(hours), Number(minutes)];
}
