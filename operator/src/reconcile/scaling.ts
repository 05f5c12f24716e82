// Wiring of custom-metric scaling into a running operator: the metric engine, fed from the platform
// informer (so every replica can answer the HPA, not only the leader), reading pods and each platform's
// Kafka Secret (its queueLag brokers) through the client, and recording Events when a metric source fails or recovers. The external metrics API that
// serves its readings is started beside it by the composition root (operator/src/manager.ts).
import type { ComponentName } from '../api/components.js';
import type { OperatorConfig } from '../runtime/config.js';
import { TRANSITION_REPEAT_MS, type EventSink } from '../runtime/events.js';
import { objectKey, splitKey, type Informer } from '../runtime/informer.js';
import type { KubeClient, KubeResource } from '../runtime/kube.js';
import type { Logger } from '../runtime/logger.js';
import { ScalingController } from '../scaling/controller.js';
import { ScalingEngine } from '../scaling/engine.js';
import { podMetricsUrl, type PodTarget, type PodTls } from '../scaling/sources/pod-scrape.js';
import type { PlatformTrust } from './certificates.js';
import type { PlatformResource } from './platform.js';
import { POD, SECRET } from './resources.js';
import { decodeSecretData } from './secrets.js';

export interface ScalingDeps {
  client: KubeClient;
  logger: Logger;
  events: EventSink;
  platforms: Informer<PlatformResource>;
  /** Enqueues a platform for a reconcile (status refresh). */
  wake: (key: string) => void;
  isLeader: () => boolean;
  now?: () => Date;
  /** The platforms' trust bundles, for scraping their pods over HTTPS (certificates.ts). */
  trust?: PlatformTrust;
  /** Who holds external.metrics.k8s.io when another server does (external-metrics-owner.ts). */
  externalMetricsOwner?: () => string | undefined;
}

export interface RunningScaling {
  controller: ScalingController;
  engine: ScalingEngine;
  stop: () => Promise<void>;
}

type PodResource = KubeResource & { status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] } };

/** The ready pods of a component; under tls BuiltIn their https URL and the platform's trust (docs/security.md). */
async function listReadyPods(client: KubeClient, namespace: string, labelSelector: string, tls: PodTls | undefined): Promise<PodTarget[]> {
  const pods = await client.list<PodResource>(POD, namespace, { labelSelector });
  return pods.items
    .filter(
      (p) => p.status?.phase === 'Running' && p.status.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((p) => ({ name: p.metadata.name, url: podMetricsUrl(p.status?.podIP ?? '', tls !== undefined), tls }));
}

/** A Secret's data, decoded, read by name (get: the operator may not list or watch Secrets), or undefined when absent. */
async function readSecret(client: KubeClient, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  const secret = await client.get<KubeResource & { data?: Record<string, string> }>(SECRET, namespace, name);
  return secret ? decodeSecretData(secret.data) : undefined;
}

export function startScalingEngine(config: OperatorConfig, deps: ScalingDeps): RunningScaling {
  const { client, logger } = deps;
  const settings = config.scaling;
  const engine = new ScalingEngine({
    logger,
    pollIntervalMs: settings.pollIntervalMs,
    // Each platform's queueLag metrics read the Kafka its spec.dependencies.kafka Secret names.
    readSecret: (namespace, name) => readSecret(client, namespace, name),
    ...(settings.prometheusUrl ? { prometheusUrl: settings.prometheusUrl } : {}),
    listPods: async (namespace, selector, owner) => {
      const platform = deps.platforms.get(namespace, owner.platform);
      const tls = platform && (await deps.trust?.forComponent(platform, owner.component as ComponentName));
      return listReadyPods(client, namespace, selector, tls);
    },
    ...(deps.now ? { now: deps.now } : {}),
    onTransition: (key, component: ComponentName, metric, transition, message) => {
      if (deps.isLeader()) {
        const platform = deps.platforms.get(...splitKey(key));
        const reason = { failed: 'MetricSourceFailed', fallback: 'FallbackActive', recovered: 'MetricSourceRecovered' }[transition];
        if (platform)
          deps.events.record(platform, transition === 'recovered' ? 'Normal' : 'Warning', reason, message, TRANSITION_REPEAT_MS);
        logger.info({ platform: key, component, metric, transition }, message);
      }
      deps.wake(key);
    },
  });
  deps.platforms.on((event, object) => {
    const key = objectKey(object);
    if (event === 'delete') engine.forget(key);
    else engine.sync(key, object, {});
  });
  engine.start();

  return {
    controller: new ScalingController(engine, deps.externalMetricsOwner),
    engine,
    stop: () => engine.stop(),
  };
}
