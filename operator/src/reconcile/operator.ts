// Wiring: the operator watches KycPlatforms and every kind it owns, feeds a work queue with platform
// keys, and reconciles them while it holds the leader Lease.
import { Applier } from '../runtime/apply.js';
import type { OperatorConfig } from '../runtime/config.js';
import { EventRecorder } from '../runtime/events.js';
import { Informer, objectKey } from '../runtime/informer.js';
import { KubeClient, type KubeResource } from '../runtime/kube.js';
import { LeaderElector } from '../runtime/leader.js';
import { createLogger, describeError, type Logger } from '../runtime/logger.js';
import { OperatorMetrics } from '../runtime/metrics.js';
import { startProbeServer, type ProbeServer } from '../runtime/server.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { PlatformReconciler, type PlatformResource } from './platform.js';
import { blueGreenRollout } from './rollout-bluegreen.js';
import { startScaling } from './scaling.js';
import { ReleaseController } from '../release/controller.js';
import { httpSmokeChecker, SmokeRunner, type SmokeChecker } from '../release/smoke.js';
import { OWNED_SELECTOR, OWNED_TYPES, ownerKey, PLATFORM } from './resources.js';

const OWNED_EVENT_DELAY_MS = 500;

export interface RunningOperator {
  metrics: OperatorMetrics;
  /** Port of /metrics, /healthz and /readyz. */
  port: number;
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

export interface StartOptions {
  logger?: Logger;
  /** Collect Node.js process metrics (off in tests that start several operators in one process). */
  processMetrics?: boolean;
  /** The clock of schedules and status times (tests move it to open and close business-hours windows). */
  now?: () => Date;
  /** The blue-green smoke check (default: HTTP GETs to the preview Services through cluster DNS). */
  smokeChecker?: SmokeChecker;
}

/** A platform change worth a reconcile: anything but a status-only update (the operator's own writes). */
function specOrMetadataChanged(object: PlatformResource, old: PlatformResource | undefined): boolean {
  if (!old) return true;
  return (
    object.metadata.generation !== old.metadata.generation ||
    object.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
    JSON.stringify(object.metadata.labels) !== JSON.stringify(old.metadata.labels) ||
    JSON.stringify(object.metadata.annotations) !== JSON.stringify(old.metadata.annotations)
  );
}

export async function startOperator(config: OperatorConfig, options: StartOptions = {}): Promise<RunningOperator> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new OperatorMetrics({ processMetrics: options.processMetrics ?? false });
  const client = KubeClient.fromConfig(config.kubeconfig, metrics);
  const informerOptions = {
    namespace: config.watchNamespace,
    onRestart: undefined as (() => void) | undefined,
  };

  const platforms = new Informer<PlatformResource>(PLATFORM, client, logger, {
    ...informerOptions,
    onRestart: () => metrics.watchRestarts.inc({ resource: PLATFORM.plural }),
  });
  const owned = new Map<string, Informer<KubeResource>>();
  for (const type of OWNED_TYPES) {
    owned.set(
      type.plural,
      new Informer<KubeResource>(type, client, logger, {
        namespace: config.watchNamespace,
        labelSelector: OWNED_SELECTOR,
        onRestart: () => metrics.watchRestarts.inc({ resource: type.plural }),
      }),
    );
  }

  let wake: (key: string) => void = () => undefined;
  const release = new ReleaseController({
    client,
    platformType: PLATFORM,
    events: new EventRecorder(client, logger, 'kyc-operator', config.leaderElection.identity),
    logger,
    smoke: new SmokeRunner(options.smokeChecker ?? httpSmokeChecker()),
    deployments: () => owned.get('deployments'),
    wake: (key) => wake(key),
  });
  const scaling = await startScaling(config, {
    client,
    logger,
    events: new EventRecorder(client, logger, 'kyc-operator', config.leaderElection.identity),
    platforms,
    registry: metrics.registry,
    wake: (key) => wake(key),
    isLeader: () => (elector ? elector.isLeader : true),
    ...(options.now ? { now: options.now } : {}),
  });
  const reconciler = new PlatformReconciler({
    scaling: scaling.controller,
    ...(options.now ? { now: options.now } : {}),
    rollout: blueGreenRollout(release),
    client,
    applier: new Applier(client),
    events: new EventRecorder(client, logger, 'kyc-operator', config.leaderElection.identity),
    logger,
    platforms,
    owned,
    progressRequeueMs: config.progressRequeueMs,
    onUnchanged: () => metrics.skippedApplies.inc(),
    operatorNamespace: config.operatorNamespace,
  });
  const queue = new WorkQueue((key) => reconciler.reconcile(key), {
    concurrency: config.concurrency,
    backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    onDepth: (depth) => metrics.queueDepth.set(depth),
    onResult: (key, outcome) => {
      metrics.reconcileDuration.observe(outcome.durationMs / 1000);
      if (outcome.error) {
        metrics.reconciles.inc({ result: 'error' });
        metrics.reconcileErrors.inc();
        logger.warn({ platform: key, err: describeError(outcome.error), retryInMs: outcome.retryInMs }, 'reconcile failed; retrying');
      } else {
        metrics.reconciles.inc({ result: outcome.requeueAfterMs !== undefined ? 'requeue' : 'success' });
      }
    },
  });

  wake = (key) => queue.add(key);
  platforms.on((event, object, old) => {
    if (event === 'delete' || specOrMetadataChanged(object, old)) queue.add(objectKey(object));
  });
  // Owned objects change in bursts (five Deployments report progress one after another): a short
  // delay folds a burst into one pass, and one status write.
  for (const informer of owned.values()) {
    informer.on((_event, object) => {
      const key = ownerKey(object);
      if (key) queue.addAfter(key, OWNED_EVENT_DELAY_MS);
    });
  }
  const enqueueAll = (): void => {
    for (const platform of platforms.list()) queue.add(objectKey(platform));
  };

  let shuttingDown = false;
  const allInformers = [platforms, ...owned.values()];
  for (const informer of allInformers) informer.start();

  let elector: LeaderElector | undefined;
  const startLeading = (): void => {
    metrics.leader.set(1);
    // Caches first: reconciling from a half-filled cache would delete or recreate objects needlessly.
    void Promise.all(allInformers.map((i) => i.waitForSync())).then(() => {
      if (shuttingDown || (elector && !elector.isLeader)) return;
      enqueueAll();
      queue.start();
    });
  };
  const stopLeading = (): void => {
    metrics.leader.set(0);
    queue.pause();
  };
  if (config.leaderElection.enabled) {
    elector = new LeaderElector(client, logger, { ...config.leaderElection, onStartedLeading: startLeading, onStoppedLeading: stopLeading });
    elector.start();
  } else {
    startLeading();
  }

  const resyncTimer = setInterval(() => {
    if (!elector || elector.isLeader) enqueueAll();
  }, config.resyncPeriodMs);
  resyncTimer.unref();

  let server: ProbeServer;
  try {
    server = await startProbeServer(config.metricsHost, config.metricsPort, metrics.registry, {
      healthy: () => !shuttingDown,
      ready: () => !shuttingDown && allInformers.every((i) => i.hasSynced),
    });
  } catch (error) {
    shuttingDown = true;
    clearInterval(resyncTimer);
    await elector?.stop(false);
    await Promise.all(allInformers.map((i) => i.stop()));
    client.close();
    throw new Error(`listen on ${config.metricsHost}:${config.metricsPort}`, { cause: error });
  }
  logger.info({ watchNamespace: config.watchNamespace || '(all)', port: server.port, identity: config.leaderElection.identity }, 'operator started');

  return {
    metrics,
    port: server.port,
    externalMetricsPort: scaling.apiPort,
    isLeader: () => (elector ? elector.isLeader : true),
    resync: enqueueAll,
    idle: () => queue.idle(),
    stop: async ({ releaseLease = true } = {}) => {
      if (shuttingDown) return;
      shuttingDown = true;
      clearInterval(resyncTimer);
      // Finish the reconciles in flight, then give up the Lease so that a standby starts at once.
      await queue.shutdown();
      await scaling.stop();
      await elector?.stop(releaseLease);
      await Promise.all(allInformers.map((i) => i.stop()));
      await server.close();
      client.close();
      logger.info('operator stopped');
    },
  };
}
