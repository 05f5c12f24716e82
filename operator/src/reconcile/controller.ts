// The platform controller: KycPlatforms and every kind they own are watched, their changes become
// platform keys in a work queue, and the reconciler works the queue while this replica leads. The
// composition root (operator/src/manager.ts) builds it and tells it when it leads.
import { Informer, ListTurns, objectKey, splitKey } from '../runtime/informer.js';
import { causedByConflict, type KubeClient, type KubeResource } from '../runtime/kube.js';
import { describeError, type Logger } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { WorkQueue, type Handler, type WorkQueueOptions } from '../runtime/workqueue.js';
import type { PlatformResource } from './platform.js';
import { INSTANCE_LABEL, OWNED_SELECTOR, OWNED_TYPES, ownerKey, PLATFORM } from './resources.js';

const OWNED_EVENT_DELAY_MS = 500;

/** The informers of the platforms and of every owned kind (by plural): the controller's view of the cluster. */
export class PlatformCache {
  readonly platforms: Informer<PlatformResource>;
  readonly owned = new Map<string, Informer<KubeResource>>();

  constructor(client: KubeClient, logger: Logger, metrics: OperatorMetrics, namespace: string) {
    const onRestart = (plural: string) => () => metrics.watchRestarts.inc({ resource: plural });
    // Every kind lists at the same moment at a start: one page at a time (runtime/informer.ts).
    const listTurns = new ListTurns();
    this.platforms = new Informer<PlatformResource>(PLATFORM, client, logger, {
      namespace,
      onRestart: onRestart(PLATFORM.plural),
      listTurns,
    });
    for (const type of OWNED_TYPES) {
      this.owned.set(
        type.plural,
        new Informer<KubeResource>(type, client, logger, {
          namespace,
          labelSelector: OWNED_SELECTOR,
          indexLabel: INSTANCE_LABEL,
          compact: true,
          onRestart: onRestart(type.plural),
          listTurns,
        }),
      );
    }
  }

  private get all(): Pick<Informer<KubeResource>, 'start' | 'hasSynced' | 'waitForSync' | 'stop'>[] {
    return [this.platforms, ...this.owned.values()];
  }

  start(): void {
    for (const informer of this.all) informer.start();
  }

  get hasSynced(): boolean {
    return this.all.every((informer) => informer.hasSynced);
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.waitForSync()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.stop()));
  }
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

export type ReconcileResult = 'success' | 'requeue' | 'conflict' | 'error';

type Outcome = Parameters<NonNullable<WorkQueueOptions['onResult']>>[1];

/**
 * What one pass came to. A conflict (409: the object changed between read and write) is how
 * optimistic concurrency works, not a failure: the pass runs again from the fresher cache.
 */
export function reconcileResult(outcome: Outcome): ReconcileResult {
  if (outcome.error !== undefined) return causedByConflict(outcome.error) ? 'conflict' : 'error';
  return outcome.requeueAfterMs !== undefined ? 'requeue' : 'success';
}

/** The queue's report of each pass: metrics always, a warning only for real errors. */
export function reportReconcile(metrics: OperatorMetrics, logger: Logger): NonNullable<WorkQueueOptions['onResult']> {
  return (key, outcome) => {
    const result = reconcileResult(outcome);
    metrics.reconcileDuration.observe(outcome.durationMs / 1000);
    metrics.reconciles.inc({ result });
    if (result === 'conflict') {
      logger.debug({ platform: key, err: describeError(outcome.error), retryInMs: outcome.retryInMs }, 'reconcile conflict; retrying');
    } else if (result === 'error') {
      metrics.reconcileErrors.inc();
      logger.warn({ platform: key, err: describeError(outcome.error), retryInMs: outcome.retryInMs }, 'reconcile failed; retrying');
    }
  };
}

export interface PlatformControllerOptions {
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  resyncPeriodMs: number;
  metrics: OperatorMetrics;
  logger: Logger;
}

/** The work queue fed by the cache's events, worked by the reconciler while this replica leads. */
export class PlatformController {
  private readonly queue: WorkQueue;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly cache: PlatformCache,
    reconcile: Handler,
    private readonly options: PlatformControllerOptions,
  ) {
    this.queue = new WorkQueue(reconcile, {
      concurrency: options.concurrency,
      backoff: { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs },
      onDepth: (depth) => options.metrics.queueDepth.set(depth),
      onWait: (waitMs) => options.metrics.queueWait.observe(waitMs / 1000),
      onResult: reportReconcile(options.metrics, options.logger),
      // A platform already applied at its generation (its pass is mostly a status update: a pod became
      // ready) goes before the first passes of others, however many were created at once.
      prioritize: (key) => appliedAtGeneration(cache.platforms.get(...splitKey(key))),
    });
    cache.platforms.on((event, object, old) => {
      if (event === 'delete' || specOrMetadataChanged(object, old)) this.enqueue(objectKey(object));
    });
    // Owned objects change in bursts (five Deployments report progress one after another): a short
    // delay folds a burst into one pass, and one status write.
    for (const informer of cache.owned.values()) {
      informer.on((_event, object) => {
        const key = ownerKey(object);
        if (key) this.queue.addAfter(key, OWNED_EVENT_DELAY_MS);
      });
    }
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Enqueues every known platform, as the periodic resync does. */
  resync(): void {
    for (const platform of this.cache.platforms.list()) this.queue.add(objectKey(platform), { background: true });
  }

  /**
   * Starts working the queue once the caches are filled (reconciling from a half-filled cache would
   * delete or recreate objects needlessly), unless leadership was lost in between.
   */
  lead(stillLeading: () => boolean): void {
    void this.cache.waitForSync().then(() => {
      if (this.stopped || !stillLeading()) return;
      this.resync();
      this.queue.start();
      clearInterval(this.resyncTimer);
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncPeriodMs);
      this.resyncTimer.unref();
    });
  }

  /** Stops taking keys (leadership lost); passes in flight finish. */
  follow(): void {
    clearInterval(this.resyncTimer);
    this.queue.pause();
  }

  /** Resolves when the queue is empty and no reconcile is running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Lets the passes in flight finish and drops the rest. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    await this.queue.shutdown();
  }
}

/** Has the operator already applied this platform's current generation (status.observedGeneration)? */
export function appliedAtGeneration(platform: PlatformResource | undefined): boolean {
  const generation = platform?.metadata.generation;
  return generation !== undefined && platform?.status?.observedGeneration === generation;
}
