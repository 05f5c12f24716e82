// Serving external.metrics.k8s.io in a running operator (docs/autoscaling.md): the serving certificate
// and its rotation, the aggregator's client CA, the APIService pointing at this server, and a retry
// when any of it fails. Every replica serves (the HPA may reach any of them), answering from the
// scaling engine's readings, handed in as the MetricValues port.
import { Histogram, type Registry } from 'prom-client';
import type { KubeClient } from '../runtime/kube.js';
import { describeError, type Logger } from '../runtime/logger.js';
import { Authorizer, loadRequestHeaderAuth } from './auth.js';
import { apiServiceMatches, ensureServingCert, registerUnlessOwnedElsewhere } from './registration.js';
import type { ExternalMetricsOwnership } from './ownership.js';
import { startMetricsApiServer, type MetricsApiServer, type MetricValues } from './server.js';

/**
 * How often each replica re-reads the certificate Secret (rotation), the client CA, and re-asserts
 * the APIService when it is missing or stale; one that another server holds (KEDA, prometheus-adapter)
 * is left alone (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter").
 */
const ROTATION_CHECK_MS = 600_000;
const API_RETRY_MS = 30_000;

export interface ExternalMetricsOptions {
  client: KubeClient;
  logger: Logger;
  /** The Service in front of this server, named in the APIService and the certificate. */
  service: { namespace: string; name: string; port: number };
  host: string;
  port: number;
  values: MetricValues;
  registry: Registry;
  /** Register even over another server's APIService (--external-metrics-take-over). */
  takeOver?: boolean;
  now: () => Date;
}

export interface ExternalMetricsApi {
  /** The port served, or undefined while the first attempt has not succeeded. */
  port: number | undefined;
  close: () => Promise<void>;
}

/**
 * Starts serving; resolves after the first attempt. A failed attempt (RBAC, an API server without
 * aggregation) must not stop the operator from reconciling: HPAs then lack their custom metrics, the
 * log says why, and it tries again every API_RETRY_MS.
 */
export async function serveExternalMetrics(options: ExternalMetricsOptions): Promise<ExternalMetricsApi> {
  const { client, logger, service, now } = options;
  const duration = new Histogram({
    name: 'kyc_operator_external_metrics_request_duration_seconds',
    help: 'Requests to the external metrics API by HTTP status code.',
    labelNames: ['code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [options.registry],
  });
  let api: MetricsApiServer | undefined;
  let rotation: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const serve = async (): Promise<void> => {
    const cert = await ensureServingCert(client, service, now());
    let auth = await loadRequestHeaderAuth(client);
    // A retry after a failed registration keeps the server it already started.
    const server =
      api ??
      (await startMetricsApiServer({
        host: options.host,
        port: options.port,
        cert: cert.bundle,
        auth,
        authorizer: new Authorizer(client),
        values: options.values,
        logger,
        observe: (code, seconds) => duration.observe({ code: String(code) }, seconds),
      }));
    if (closed) {
      await server.close();
      return;
    }
    api = server;
    const register = async (caBundle: string): Promise<ExternalMetricsOwnership> => {
      const ownership = await registerUnlessOwnedElsewhere(client, service, caBundle, options.takeOver);
      if (ownership.state === 'Elsewhere')
        logger.warn(
          { owner: ownership.owner, takeOver: options.takeOver ?? false },
          options.takeOver
            ? 'took the external metrics APIService over'
            : 'another server holds the external metrics APIService; left to it',
        );
      return ownership;
    };
    await register(cert.caBundle);
    logger.info({ port: server.port, service: `${service.namespace}/${service.name}` }, 'external metrics API served');
    let lastCaBundle = cert.caBundle;
    rotation = setInterval(() => {
      void (async () => {
        const next = await ensureServingCert(client, service, now());
        auth = await loadRequestHeaderAuth(client);
        server.update(next.bundle, auth);
        if (next.caBundle !== lastCaBundle || !(await apiServiceMatches(client, service, next.caBundle))) {
          await register(next.caBundle);
          lastCaBundle = next.caBundle;
        }
        if (next.rotated) logger.info({ rotated: next.rotated }, 'external metrics certificate rotated');
      })().catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'external metrics certificate check failed'));
    }, ROTATION_CHECK_MS);
    rotation.unref();
  };
  const attempt = async (): Promise<void> => {
    try {
      await serve();
    } catch (error) {
      logger.error({ err: describeError(error), retryInSeconds: API_RETRY_MS / 1000 }, 'cannot serve the external metrics API');
      if (closed) return;
      retry = setTimeout(() => void attempt(), API_RETRY_MS);
      retry.unref();
    }
  };
  await attempt();

  return {
    port: api?.port,
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      if (rotation) clearInterval(rotation);
      await api?.close();
    },
  };
}
