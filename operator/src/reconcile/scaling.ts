// Wiring of custom-metric scaling into a running operator: the metric engine (fed from the platform
// informer, so every replica can answer the HPA, not only the leader), the external metrics API with
// its certificate and APIService when a Service is configured, and Events when a metric source fails
// or recovers.
import { Histogram, type Registry } from 'prom-client';
import type { ComponentName } from '../api/components.js';
import type { OperatorConfig } from '../runtime/config.js';
import type { EventSink } from '../runtime/events.js';
import type { Informer } from '../runtime/informer.js';
import { objectKey } from '../runtime/informer.js';
import type { KubeClient, KubeResource, ResourceType } from '../runtime/kube.js';
import { describeError, type Logger } from '../runtime/logger.js';
import { Authorizer, loadRequestHeaderAuth } from '../metrics-api/auth.js';
import { apiServiceMatches, ensureServingCert, registerApiService } from '../metrics-api/registration.js';
import { startMetricsApiServer, type MetricsApiServer } from '../metrics-api/server.js';
import { ScalingController } from '../scaling/controller.js';
import { ScalingEngine } from '../scaling/engine.js';
import { KafkaLagReader } from '../scaling/kafka-lag.js';
import { podMetricsUrl, type PodTarget } from '../scaling/scrape.js';
import type { PlatformResource } from './platform.js';

const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
/**
 * How often each replica re-reads the certificate Secret (rotation), the client CA, and re-asserts
 * the APIService when it is missing or points elsewhere (e.g. after a test or a second install).
 */
const ROTATION_CHECK_MS = 600_000;
const API_RETRY_MS = 30_000;

export interface ScalingDeps {
  client: KubeClient;
  logger: Logger;
  events: EventSink;
  platforms: Informer<PlatformResource>;
  registry: Registry;
  /** Enqueues a platform for a reconcile (status refresh). */
  wake: (key: string) => void;
  isLeader: () => boolean;
  now?: () => Date;
}

export interface RunningScaling {
  controller: ScalingController;
  engine: ScalingEngine;
  /** Port of the external metrics API, when served. */
  apiPort: number | undefined;
  stop: () => Promise<void>;
}

type PodResource = KubeResource & { status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] } };

async function listReadyPods(client: KubeClient, namespace: string, labelSelector: string): Promise<PodTarget[]> {
  const pods = await client.list<PodResource>(POD, namespace, { labelSelector });
  return pods.items
    .filter((p) => p.status?.phase === 'Running' && p.status.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => ({ name: p.metadata.name, url: podMetricsUrl(p.status?.podIP ?? '') }));
}

export async function startScaling(config: OperatorConfig, deps: ScalingDeps): Promise<RunningScaling> {
  const { client, logger } = deps;
  const settings = config.scaling;
  const engine = new ScalingEngine({
    logger,
    pollIntervalMs: settings.pollIntervalMs,
    ...(settings.kafkaBrokers.length > 0 ? { lagSource: new KafkaLagReader(settings.kafkaBrokers) } : {}),
    ...(settings.prometheusUrl ? { prometheusUrl: settings.prometheusUrl } : {}),
    listPods: (namespace, selector) => listReadyPods(client, namespace, selector),
    ...(deps.now ? { now: deps.now } : {}),
    onTransition: (key, component: ComponentName, metric, transition, message) => {
      if (deps.isLeader()) {
        const slash = key.indexOf('/');
        const platform = deps.platforms.get(key.slice(0, slash), key.slice(slash + 1));
        const reason = { failed: 'MetricSourceFailed', fallback: 'FallbackActive', recovered: 'MetricSourceRecovered' }[transition];
        if (platform) deps.events.record(platform, transition === 'recovered' ? 'Normal' : 'Warning', reason, message);
        logger.info({ platform: key, component, metric, transition }, message);
      }
      deps.wake(key);
    },
  });
  const now = (): Date => deps.now?.() ?? new Date();
  deps.platforms.on((event, object) => {
    const key = objectKey(object);
    if (event === 'delete') engine.forget(key);
    else engine.sync(key, object, {});
  });
  engine.start();

  let api: MetricsApiServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  const service = settings.externalMetricsService;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  if (service) {
    const duration = new Histogram({
      name: 'kyc_operator_external_metrics_request_duration_seconds',
      help: 'Requests to the external metrics API by HTTP status code.',
      labelNames: ['code'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [deps.registry],
    });
    const serve = async (): Promise<void> => {
      const cert = await ensureServingCert(client, service, now());
      let auth = await loadRequestHeaderAuth(client);
      // A retry after a failed registration keeps the server it already started.
      const server =
        api ??
        (await startMetricsApiServer({
          host: settings.externalMetricsHost,
          port: settings.externalMetricsPort,
          cert: cert.bundle,
          auth,
          authorizer: new Authorizer(client),
          values: engine,
          logger,
          observe: (code, seconds) => duration.observe({ code: String(code) }, seconds),
        }));
      if (stopped) {
        await server.close();
        return;
      }
      api = server;
      await registerApiService(client, service, cert.caBundle);
      logger.info({ port: server.port, service: `${service.namespace}/${service.name}` }, 'external metrics API served');
      let lastCaBundle = cert.caBundle;
      timer = setInterval(() => {
        void (async () => {
          const next = await ensureServingCert(client, service, now());
          auth = await loadRequestHeaderAuth(client);
          server.update(next.bundle, auth);
          if (next.caBundle !== lastCaBundle || !(await apiServiceMatches(client, service, next.caBundle))) {
            await registerApiService(client, service, next.caBundle);
            lastCaBundle = next.caBundle;
          }
          if (next.rotated) logger.info({ rotated: next.rotated }, 'external metrics certificate rotated');
        })().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'external metrics certificate check failed'));
      }, ROTATION_CHECK_MS);
      timer.unref();
    };
    // A failure here (RBAC, the API server without aggregation) must not stop the operator from
    // reconciling: HPAs then lack their custom metrics, the log says why, and it tries again.
    const attempt = async (): Promise<void> => {
      try {
        await serve();
      } catch (error) {
        logger.error({ err: describeError(error), retryInSeconds: API_RETRY_MS / 1000 }, 'cannot serve the external metrics API');
        if (stopped) return;
        retry = setTimeout(() => void attempt(), API_RETRY_MS);
        retry.unref();
      }
    };
    await attempt();
  }

  return {
    controller: new ScalingController(engine),
    engine,
    apiPort: api?.port,
    stop: async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (timer) clearInterval(timer);
      await api?.close();
      await engine.stop();
    },
  };
}
