import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { KycPlatformSpec } from '../api/types.js';
import { renderKafkaTriggerAuthentication, renderScaledObject } from './scaledobject.js';
import type { KubeObject } from './types.js';

type Trigger = { type: string; name?: string; metricType?: string; metadata: Record<string, string> };
type Spec = {
  scaleTargetRef: Record<string, string>;
  minReplicaCount: number;
  maxReplicaCount: number;
  fallback?: { failureThreshold: number; replicas: number };
  advanced: { horizontalPodAutoscalerConfig: { behavior: unknown } };
  triggers: Trigger[];
};
const specOf = (o: KubeObject | undefined): Spec => o?.spec as Spec;
const keda = (autoscaling: NonNullable<KycPlatformSpec['autoscaling']> = {}, extra: Partial<KycPlatformSpec> = {}) =>
  platform({ profile: 'production', ...extra, autoscaling: { provider: 'keda', ...autoscaling } });
const PROMETHEUS = 'http://prometheus.monitoring:9090';

describe('renderScaledObject', () => {
  it('scales the Deployment between the same bounds as the HPA would, on CPU and memory, with the scale-down window', () => {
    const so = renderScaledObject(keda(), 'gateway');
    expect(so).toMatchObject({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'acme-gateway', namespace: 'kyc-test' },
    });
    expect(so?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme' });
    const spec = specOf(so);
    expect(spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'acme-gateway',
      envSourceContainerName: 'gateway',
    });
    expect([spec.minReplicaCount, spec.maxReplicaCount]).toEqual([3, 20]);
    expect(spec.triggers).toEqual([
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
      { type: 'memory', metricType: 'Utilization', metadata: { value: '80' } },
    ]);
    expect(spec.advanced.horizontalPodAutoscalerConfig.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 300 } });
  });

  it("reads the Kafka lag with the brokers from the container's env (the platform's Kafka Secret), one trigger per topic", () => {
    const spec = specOf(renderScaledObject(keda({ metrics: { queueLag: { targetLagPerReplica: 500 } } }), 'notification'));
    const kafka = spec.triggers.filter((t) => t.type === 'kafka');
    expect(kafka).toEqual([
      {
        type: 'kafka',
        metricType: 'AverageValue',
        metadata: { bootstrapServersFromEnv: 'KAFKA_BROKERS', consumerGroup: 'kyc-notification', lagThreshold: '500', topic: 'kyc.events' },
      },
      {
        type: 'kafka',
        metricType: 'AverageValue',
        metadata: {
          bootstrapServersFromEnv: 'KAFKA_BROKERS',
          consumerGroup: 'kyc-notification',
          lagThreshold: '500',
          topic: 'customer.events',
        },
      },
    ]);
    expect(JSON.stringify(spec)).not.toContain('bootstrapServers"');
  });

  it('when the Kafka needs TLS and SCRAM, then each kafka trigger says so and names the TriggerAuthentication, which takes the CA and the lag reader from the Kafka Secret', () => {
    const secured = keda(
      { metrics: { queueLag: { targetLagPerReplica: 100 } } },
      {
        dependencies: {
          ...platform().spec.dependencies,
          kafka: { secretRef: { name: 'kyc-kafka' }, tls: 'Required', credentials: 'PerComponent' },
        },
      },
    );
    const kafka = specOf(renderScaledObject(secured, 'analytics')).triggers.filter((t) => t.type === 'kafka');
    expect(kafka).toEqual([
      {
        type: 'kafka',
        metricType: 'AverageValue',
        metadata: {
          bootstrapServersFromEnv: 'KAFKA_BROKERS',
          consumerGroup: 'kyc-analytics',
          lagThreshold: '100',
          tls: 'enable',
          sasl: 'scram_sha512',
        },
        authenticationRef: { name: 'acme-kafka-lag' },
      },
    ]);
    const auth = renderKafkaTriggerAuthentication(secured, ['gateway', 'kyc', 'analytics']);
    expect(auth).toMatchObject({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'acme-kafka-lag', namespace: 'kyc-test' },
      spec: {
        secretTargetRef: [
          { parameter: 'ca', name: 'kyc-kafka', key: 'ca.crt' },
          { parameter: 'username', name: 'kyc-kafka', key: 'lag-reader-username' },
          { parameter: 'password', name: 'kyc-kafka', key: 'lag-reader-password' },
        ],
      },
    });
    expect(auth?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name: 'acme' });
    // No credential is copied: only Secret key names.
    expect(JSON.stringify(auth)).not.toMatch(/password"\s*:\s*"(?!lag-reader)/);
  });

  it('renders no TriggerAuthentication for a plain Kafka, for builtin, or when no autoscaled component reads Kafka lag', () => {
    const lag = { metrics: { queueLag: { targetLagPerReplica: 100 } } };
    const tlsOnly = {
      dependencies: { ...platform().spec.dependencies, kafka: { secretRef: { name: 'kyc-kafka' }, tls: 'Required' as const } },
    };
    expect(renderKafkaTriggerAuthentication(keda(lag), ['kyc'])).toBeUndefined();
    expect(renderKafkaTriggerAuthentication(keda(lag, tlsOnly), ['gateway', 'auth'])).toBeUndefined();
    expect(renderKafkaTriggerAuthentication(keda({}, tlsOnly), ['kyc'])).toBeUndefined();
    expect(
      renderKafkaTriggerAuthentication(platform({ profile: 'production', ...tlsOnly, autoscaling: { ...lag, provider: 'builtin' } }), [
        'kyc',
      ]),
    ).toBeUndefined();
    // TLS without SCRAM: the CA only.
    expect(renderKafkaTriggerAuthentication(keda(lag, tlsOnly), ['kyc'])?.spec).toEqual({
      secretTargetRef: [{ parameter: 'ca', name: 'kyc-kafka', key: 'ca.crt' }],
    });
  });

  it('without topics (analytics), one Kafka trigger over every topic of the group', () => {
    const kafka = specOf(renderScaledObject(keda({ metrics: { queueLag: { targetLagPerReplica: 100 } } }), 'analytics')).triggers.filter(
      (t) => t.type === 'kafka',
    );
    expect(kafka.map((t) => t.metadata)).toEqual([
      { bootstrapServersFromEnv: 'KAFKA_BROKERS', consumerGroup: 'kyc-analytics', lagThreshold: '100' },
    ]);
  });

  it('asks Prometheus for the request rate (AverageValue) and latency (Value) with the queries of the builtin source', () => {
    const spec = specOf(
      renderScaledObject(
        keda({
          keda: { prometheusServerAddress: PROMETHEUS },
          metrics: { requestRate: { targetPerReplica: 30 }, latency: { targetMilliseconds: 250, percentile: 'p99' } },
        }),
        'gateway',
      ),
    );
    const prometheus = spec.triggers.filter((t) => t.type === 'prometheus');
    expect(prometheus.map((t) => [t.metricType, t.metadata.threshold, t.metadata.serverAddress])).toEqual([
      ['AverageValue', '30', PROMETHEUS],
      ['Value', '250', PROMETHEUS],
    ]);
    expect(prometheus[0]?.metadata.query).toBe(
      'sum(rate(kyc_http_requests_total{namespace="kyc-test",component="gateway",platform="acme"}[1m]))',
    );
    expect(prometheus[1]?.metadata.query).toContain('histogram_quantile(0.99');
  });

  it('refuses request rate or latency without a Prometheus address, naming the field', () => {
    expect(() => renderScaledObject(keda({ metrics: { requestRate: { targetPerReplica: 30 } } }), 'gateway')).toThrow(
      /spec.autoscaling.keda.prometheusServerAddress is required: gateway scales on requestRate/,
    );
  });

  it('turns business-hours windows into cron triggers in their zone, the floor capped at max; an overnight window ends the next day', () => {
    const spec = specOf(
      renderScaledObject(
        keda({
          maxReplicas: 8,
          schedules: [
            {
              name: 'business-hours',
              timezone: 'Asia/Kolkata',
              days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
              start: '09:00',
              end: '18:30',
              minReplicas: 6,
            },
            { name: 'batch', days: ['Sat'], start: '22:00', end: '02:00', minReplicas: 12 },
            { name: 'gateway-only', start: '08:00', end: '09:00', minReplicas: 4, components: ['gateway'] },
          ],
        }),
        'kyc',
      ),
    );
    expect(spec.triggers.filter((t) => t.type === 'cron')).toEqual([
      {
        type: 'cron',
        name: 'schedule-business-hours',
        metricType: 'AverageValue',
        metadata: { timezone: 'Asia/Kolkata', start: '0 9 * * 1,2,3,4,5', end: '30 18 * * 1,2,3,4,5', desiredReplicas: '6' },
      },
      {
        type: 'cron',
        name: 'schedule-batch',
        metricType: 'AverageValue',
        metadata: { timezone: 'UTC', start: '0 22 * * 6', end: '0 2 * * 0', desiredReplicas: '8' },
      },
    ]);
  });

  it('declares the fallback only where KEDA accepts it: AverageValue triggers without CPU and memory', () => {
    const lagOnly = keda({ resourceMetrics: false, metrics: { queueLag: { targetLagPerReplica: 100 } }, fallback: { replicas: 5 } });
    expect(specOf(renderScaledObject(lagOnly, 'kyc')).fallback).toEqual({ failureThreshold: 3, replicas: 5 });
    const withCpu = keda({ metrics: { queueLag: { targetLagPerReplica: 100 } }, fallback: { replicas: 5 } });
    expect(specOf(renderScaledObject(withCpu, 'kyc')).fallback).toBeUndefined();
    const withLatency = keda({
      resourceMetrics: false,
      keda: { prometheusServerAddress: PROMETHEUS },
      metrics: { latency: { targetMilliseconds: 200 } },
      fallback: { replicas: 5 },
    });
    expect(specOf(renderScaledObject(withLatency, 'gateway')).fallback).toBeUndefined();
  });

  it('is absent when the component is not autoscaled', () => {
    expect(renderScaledObject(platform({ profile: 'development', autoscaling: { provider: 'keda' } }), 'kyc')).toBeUndefined();
  });
});
