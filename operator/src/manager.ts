// The composition root of kyc-operator (docs/operator.md): every part is built here, in dependency
// order — logger, metrics, client, Event recorder, informers, scaling engine, reconcilers, work queue,
// external metrics API, leader election, probe server — and stopped in the reverse order. Nothing below
// this file constructs a collaborator of its own: there is one client, one metrics registry and one
// EventRecorder, handed to whoever needs them.
import { serveExternalMetrics } from './metrics-api/serve.js';
import { PlatformCache, PlatformController } from './reconcile/controller.js';
import { ExternalMetricsOwnerWatch } from './reconcile/external-metrics-owner.js';
import { KedaObjects } from './reconcile/keda.js';
import { PodMonitors } from './reconcile/pod-monitors.js';
import { RestoreJobs } from './reconcile/restore.js';
import { platformGaugeText } from './reconcile/platform-gauges.js';
import { PlatformReconciler } from './reconcile/platform.js';
import { PodHealthPoller } from './reconcile/pod-health.js';
import { PlatformCertificates, PlatformTrust } from './reconcile/certificates.js';
import { PLATFORM } from './reconcile/resources.js';
import { blueGreenRollout } from './reconcile/rollout-bluegreen.js';
import { startScalingEngine } from './reconcile/scaling.js';
import { ReleaseController } from './release/controller.js';
import { clusterServiceUrl, httpSmokeChecker, SmokeRunner, type SmokeChecker } from './release/smoke.js';
import { Applier } from './runtime/apply.js';
import type { OperatorConfig } from './runtime/config.js';
import { EventRecorder } from './runtime/events.js';
import { KubeClient } from './runtime/kube.js';
import { LeaderElector } from './runtime/leader.js';
import { createLogger, describeError, type Logger } from './runtime/logger.js';
import { OperatorMetrics } from './runtime/metrics.js';
import { AccessReviewer } from './runtime/access-review.js';
import { startMetricsServer, startProbeServer, type ServingCertificate } from './runtime/server.js';
import { readCertificateDir, selfSignedCertificate } from './runtime/serving-cert.js';

export interface RunningOperator {
  metrics: OperatorMetrics;
  /** Port of /metrics (HTTPS with a token unless --metrics-secure=false). */
  port: number;
  /** Port of /healthz and /readyz (plain HTTP). */
  probePort: number;
  /** Port of the external metrics API (HTTPS), when it is served. */
  externalMetricsPort: number | undefined;
  isLeader: () => boolean;
  /** Enqueues every known platform, as the periodic resync does. */
  resync: () => void;
  /** Resolves when the queue is empty and no reconcile is running. */
  idle: () => Promise<void>;
  /** Graceful stop; `releaseLease: false` simulates a crash (the standby must wait out the lease). */
  stop: (options?: { releaseLease?: boolean }) => Promise<void>;
}

export interface ManagerOptions {
  logger?: Logger;
  /** Collect Node.js process metrics (off in tests that start several operators in one process). */
  processMetrics?: boolean;
  /** The clock of schedules and status times (tests move it to open and close business-hours windows). */
  now?: () => Date;
  /** The blue-green smoke check (default: HTTP GETs to the preview Services through cluster DNS). */
  smokeChecker?: SmokeChecker;
  /** How long a new trust bundle or new certificates are given to reach the pods (default 5 minutes; tests shorten it). */
  certificateOverlapMs?: number;
  /** The API client (default: from the kubeconfig; unit tests hand in runtime/testing/fake-kube.ts). */
  client?: KubeClient;
}

/** What has been started, to be stopped in the reverse order; a failing step does not skip the rest. */
export class ShutdownSequence {
  private readonly steps: { name: string; stop: () => unknown }[] = [];

  constructor(private readonly logger: Logger) {}

  /** Registers how to stop what was just started. */
  add(name: string, stop: () => unknown): void {
    this.steps.push({ name, stop });
  }

  /** Runs every step once, last added first; resolves false when a step failed. */
  async run(): Promise<boolean> {
    let clean = true;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.stop();
      } catch (error) {
        clean = false;
        this.logger.error({ step: step.name, err: describeError(error) }, 'stop failed');
      }
    }
    return clean;
  }
}

/** Starts the operator: returns once every part runs (reconciling waits for the leader Lease). */
export async function startManager(config: OperatorConfig, options: ManagerOptions = {}): Promise<RunningOperator> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const shutdown = new ShutdownSequence(logger);
  const now = (): Date => options.now?.() ?? new Date();
  let shuttingDown = false;
  let releaseLease = true;
  try {
    // Metrics come before the client: the client counts each of its requests in them.
    const metrics = new OperatorMetrics({ processMetrics: options.processMetrics ?? false });
    const client = options.client ?? KubeClient.fromConfig(config.kubeconfig, metrics);
    shutdown.add('kube client', () => client.close());
    const events = new EventRecorder(client, logger, 'kyc-operator', config.leaderElection.identity);
    shutdown.add('events', () => events.flush());

    const cache = new PlatformCache(client, logger, metrics, config.watchNamespace);
    // The engine subscribes to platform events before the controller's queue does: a pass reads the
    // engine's view of the platform. The engine and the release controller wake platforms on that
    // queue, built below; they do so only from timers and checks that run later.
    const wake = (key: string): void => controller.enqueue(key);
    let elector: LeaderElector | undefined;
    const isLeader = (): boolean => (elector ? elector.isLeader : !config.leaderElection.enabled);

    // Who holds external.metrics.k8s.io (KEDA, prometheus-adapter or this operator), read every minute;
    // a change resyncs every platform so that their ScalingDegraded condition follows (docs/autoscaling.md).
    const externalMetricsOwner = new ExternalMetricsOwnerWatch({
      client,
      logger,
      own: config.scaling.externalMetricsService,
      onChange: () => controller.resync(),
    });
    // tls BuiltIn: the scrapes and /health reads trust each platform's bundle (docs/security.md).
    const trust = new PlatformTrust(client);
    const scaling = startScalingEngine(config, {
      trust,
      externalMetricsOwner: () => externalMetricsOwner.owner,
      client,
      logger,
      events,
      platforms: cache.platforms,
      wake,
      isLeader,
      ...(options.now ? { now: options.now } : {}),
    });
    shutdown.add('scaling engine', () => scaling.stop());

    const release = new ReleaseController({
      client,
      platformType: PLATFORM,
      events,
      logger,
      // tls BuiltIn: the preview Services over HTTPS, trusting the platform's bundle.
      smoke: new SmokeRunner(options.smokeChecker ?? httpSmokeChecker(clusterServiceUrl, { trust: (ns, name) => trust.bundle(ns, name) })),
      deployments: () => cache.owned.get('deployments'),
      wake,
    });
    const applier = new Applier(client);
    const reconciler = new PlatformReconciler({
      client,
      applier,
      // provider keda: ScaledObjects, written only where KEDA's CRD is installed (docs/autoscaling.md).
      keda: new KedaObjects(client, applier),
      // spec.observability.podMonitor: PodMonitors, written only where their CRD is installed (docs/observability.md).
      podMonitors: new PodMonitors(client, applier),
      // kyc.dev/restore: the in-cluster restore Job and condition Restored (docs/backup.md).
      restore: new RestoreJobs(client, events),
      events,
      logger,
      platforms: cache.platforms,
      owned: cache.owned,
      rollout: blueGreenRollout(release),
      scaling: scaling.controller,
      progressRequeueMs: config.progressRequeueMs,
      onUnchanged: () => metrics.skippedApplies.inc(),
      operatorNamespace: config.operatorNamespace,
      // The pods' /health on their metrics port, as the scaling scrapes do (docs/api.md, "Degradation").
      health: new PodHealthPoller(client, { trust }),
      // tls.mode BuiltIn: the platform's CA and certificates (docs/security.md, "TLS between the components").
      certificates: new PlatformCertificates(client, { registry: metrics.registry, overlapMs: options.certificateOverlapMs, trust }),
      ...(options.now ? { now: options.now } : {}),
    });
    // Passes run only once this replica leads (see lead below).
    const controller = new PlatformController(cache, (key) => reconciler.reconcile(key), {
      concurrency: config.concurrency,
      retryBaseMs: config.retryBaseMs,
      retryMaxMs: config.retryMaxMs,
      resyncPeriodMs: config.resyncPeriodMs,
      metrics,
      logger,
    });
    cache.start();
    shutdown.add('informers', () => cache.stop());
    await externalMetricsOwner.start();
    shutdown.add('external metrics owner', () => externalMetricsOwner.stop());

    // Every replica serves the external metrics API (the HPA may reach any of them), leader or not.
    const service = config.scaling.externalMetricsService;
    const externalMetrics = service
      ? await serveExternalMetrics({
          client,
          logger,
          service,
          host: config.scaling.externalMetricsHost,
          port: config.scaling.externalMetricsPort,
          values: scaling.engine,
          registry: metrics.registry,
          now,
          takeOver: config.scaling.externalMetricsTakeOver,
        })
      : undefined;
    if (externalMetrics) shutdown.add('external metrics API', () => externalMetrics.close());
    // The registration may just have changed the owner (a first registration, --external-metrics-take-over):
    // read it again now, not a minute later, so that no platform is told the API is someone else's.
    if (externalMetrics) await externalMetricsOwner.check();

    const lead = (): void => {
      metrics.leader.set(1);
      controller.lead(() => !shuttingDown && isLeader());
    };
    const follow = (): void => {
      metrics.leader.set(0);
      controller.follow();
    };
    if (config.leaderElection.enabled) {
      elector = new LeaderElector(client, logger, { ...config.leaderElection, onStartedLeading: lead, onStoppedLeading: follow });
      elector.start();
    } else {
      lead();
    }
    // The passes in flight finish before the Lease is given up, so that a standby starts at once
    // without two leaders writing.
    shutdown.add('leadership', async () => {
      await controller.stop();
      await elector?.stop(releaseLease);
    });

    const probeServer = await startProbeServer(config.metricsHost, config.healthProbePort, {
      healthy: () => !shuttingDown,
      ready: () => !shuttingDown && cache.hasSynced,
    }).catch((error: unknown) => {
      throw new Error(`listen on ${config.metricsHost}:${config.healthProbePort}`, { cause: error });
    });
    shutdown.add('probe server', () => probeServer.close());
    const certificate = async (): Promise<ServingCertificate> =>
      config.metricsCertDir ? readCertificateDir(config.metricsCertDir) : selfSignedCertificate(new Date());
    const server = await startMetricsServer({
      host: config.metricsHost,
      port: config.metricsPort,
      registry: metrics.registry,
      // Per-platform state for alerts (docs/observability.md), read from the cache at scrape time.
      appendix: () => platformGaugeText(cache.platforms.list()),
      secure: config.metricsSecure ? { certificate: await certificate(), reviewer: new AccessReviewer(client) } : undefined,
    }).catch((error: unknown) => {
      throw new Error(`serve /metrics on ${config.metricsHost}:${config.metricsPort}`, { cause: error });
    });
    shutdown.add('metrics server', () => server.close());
    if (config.metricsSecure && config.metricsCertDir) {
      // A mounted Secret is renewed in place (cert-manager, the kubelet's projection): read it again.
      const reload = setInterval(() => {
        certificate()
          .then((next) => server.updateCertificate(next))
          .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'cannot reload the /metrics certificate'));
      }, METRICS_CERT_RELOAD_MS);
      reload.unref();
      shutdown.add('metrics certificate reload', () => clearInterval(reload));
    }
    logger.info(
      {
        watchNamespace: config.watchNamespace || '(all)',
        port: server.port,
        probePort: probeServer.port,
        metricsSecure: config.metricsSecure,
        identity: config.leaderElection.identity,
      },
      'operator started',
    );

    return {
      metrics,
      port: server.port,
      probePort: probeServer.port,
      externalMetricsPort: externalMetrics?.port,
      isLeader,
      resync: () => controller.resync(),
      idle: () => controller.idle(),
      stop: async (stopOptions = {}) => {
        if (shuttingDown) return;
        shuttingDown = true;
        releaseLease = stopOptions.releaseLease ?? true;
        if (!(await shutdown.run())) throw new Error('the operator stopped with errors (logged)');
        logger.info('operator stopped');
      },
    };
  } catch (error) {
    shuttingDown = true;
    await shutdown.run();
    throw error;
  }
}

/** How long a stop may take before the process ends anyway (Kubernetes' grace period is 30 s). */
const STOP_DEADLINE_MS = 30_000;
/** How often a mounted /metrics certificate is read again (a renewal reaches the server within this). */
const METRICS_CERT_RELOAD_MS = 300_000;

/** Runs the operator until SIGTERM or SIGINT, then stops it; resolves with the process exit code. */
export async function runManager(config: OperatorConfig): Promise<number> {
  const logger = createLogger(config.logLevel);
  const operator = await startManager(config, { logger, processMetrics: true });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down');
  // A second signal, or a stop that hangs, ends the process anyway.
  const exit = (): never => process.exit(1);
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
  setTimeout(exit, STOP_DEADLINE_MS).unref();
  try {
    await operator.stop();
    return 0;
  } catch (error) {
    logger.error({ err: describeError(error) }, 'shutdown failed');
    return 1;
  }
}
