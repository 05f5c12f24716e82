// A reconciler on an API server in memory (runtime/testing/fake-kube.ts), for unit tests: the real informers,
// applier and status logic, a recorded Event sink, a clock the test sets, and a stand-in for the
// Deployment controller (deploymentsRollOut). Used only by tests (testing/ is left out of the build).
import type { ScalingController } from '../../scaling/controller.js';
import { KedaObjects } from '../keda.js';
import { PodMonitors } from '../pod-monitors.js';
import type { HealthReader } from '../pod-health.js';
import { pino } from 'pino';
import { platform as fixturePlatform } from '../../api/fixtures.js';
import type { KycPlatformSpec } from '../../api/types.js';
import { Applier } from '../../runtime/apply.js';
import type { EventSink, EventType } from '../../runtime/events.js';
import { FakeKube } from '../../runtime/testing/fake-kube.js';
import { Informer } from '../../runtime/informer.js';
import type { KubeResource, ResourceType } from '../../runtime/kube.js';
import type { Logger } from '../../runtime/logger.js';
import { PlatformReconciler, type PlatformResource } from '../platform.js';
import { INSTANCE_LABEL, OWNED_SELECTOR, OWNED_TYPES, PLATFORM, typeOf } from '../resources.js';
import type { RolloutStrategy } from '../rollout.js';

export const NAMESPACE = 'kyc-test';
export const DEPLOYMENT: ResourceType = typeOf({ apiVersion: 'apps/v1', kind: 'Deployment' });
export const SERVICE: ResourceType = typeOf({ apiVersion: 'v1', kind: 'Service' });

export interface RecordedEvent {
  type: EventType;
  reason: string;
  message: string;
}

export class RecordingEvents implements EventSink {
  readonly recorded: RecordedEvent[] = [];
  /** The window each reason was last recorded with (undefined: the recorder's own). */
  readonly repeatAfter = new Map<string, number | undefined>();

  record(_regarding: KubeResource, type: EventType, reason: string, message: string, repeatAfterMs?: number): void {
    this.recorded.push({ type, reason, message });
    this.repeatAfter.set(reason, repeatAfterMs);
  }

  reasons(): string[] {
    return this.recorded.map((e) => e.reason);
  }
}

export interface TestReconciler {
  api: FakeKube;
  reconciler: PlatformReconciler;
  applier: Applier;
  events: RecordingEvents;
  platforms: Informer<PlatformResource>;
  owned: ReadonlyMap<string, Informer<KubeResource>>;
  clock: { now: Date };
  /** Creates the platform (spec over the development fixture) and returns its work-queue key. */
  createPlatform(spec?: Partial<KycPlatformSpec>, name?: string): Promise<string>;
  /** The platform as the API server holds it now. */
  platform(name?: string): PlatformResource | undefined;
  /** A reconciler as a restarted operator has it: a new applier (no records), over the same caches. */
  restarted(): PlatformReconciler;
  stop(): Promise<void>;
}

/** What a rollout strategy under test may be built from. */
export interface RolloutParts {
  api: FakeKube;
  owned: ReadonlyMap<string, Informer<KubeResource>>;
  events: RecordingEvents;
  logger: Logger;
}

export interface TestReconcilerOptions {
  /** The strategy (default: the reconciler's own, in place). */
  rollout?: (parts: RolloutParts) => RolloutStrategy;
  /** What the pods' /health says (reconcile/pod-health.ts); default: not read. */
  health?: HealthReader;
  /** The scaling status (scaling/controller.ts); default: none written. */
  scaling?: ScalingController;
  /** Write provider-keda platforms' ScaledObjects (keda.ts); default: none written. */
  keda?: boolean;
  /** Write spec.observability.podMonitor's PodMonitors (pod-monitors.ts); default: none written. */
  podMonitors?: boolean;
  /** Keep owned objects compacted, as the operator's caches do (runtime/slim.ts); default: whole. */
  compact?: boolean;
}

/** A reconciler over a fresh fake API server, its informers synced and watching. */
export async function startTestReconciler(options: TestReconcilerOptions = {}): Promise<TestReconciler> {
  const api = new FakeKube();
  const client = api.asClient();
  const logger = pino({ enabled: false });
  const platforms = new Informer<PlatformResource>(PLATFORM, client, logger, { namespace: NAMESPACE });
  const owned = new Map(
    OWNED_TYPES.map((type) => [
      type.plural,
      new Informer<KubeResource>(type, client, logger, {
        namespace: NAMESPACE,
        labelSelector: OWNED_SELECTOR,
        indexLabel: INSTANCE_LABEL,
        compact: options.compact === true,
      }),
    ]),
  );
  const informers = [platforms, ...owned.values()];
  for (const informer of informers) informer.start();
  await Promise.all(informers.map((i) => i.waitForSync()));
  // Synced is not yet watching: wait for every watch, so that each write reaches the caches.
  for (let i = 0; i < 100 && api.openWatchCount < informers.length; i += 1) await new Promise((resolve) => setTimeout(resolve, 1));

  const events = new RecordingEvents();
  const clock = { now: new Date('2026-11-26T10:00:00.000Z') };
  const reconcilerWith = (applier: Applier): PlatformReconciler =>
    new PlatformReconciler({
      client,
      applier,
      events,
      logger,
      platforms,
      owned,
      progressRequeueMs: 5_000,
      now: () => clock.now,
      ...(options.rollout ? { rollout: options.rollout({ api, owned, events, logger }) } : {}),
      ...(options.health && { health: options.health }),
      ...(options.scaling && { scaling: options.scaling }),
      ...(options.keda && { keda: new KedaObjects(client, applier) }),
      ...(options.podMonitors && { podMonitors: new PodMonitors(client, applier) }),
    });
  const applier = new Applier(client);
  const reconciler = reconcilerWith(applier);
  return {
    api,
    reconciler,
    applier,
    events,
    platforms,
    owned,
    clock,
    async createPlatform(spec = {}, name = 'acme') {
      const fixture = fixturePlatform({ profile: 'development', ...spec }, name);
      await api.create(PLATFORM, NAMESPACE, { ...fixture, metadata: { name, namespace: NAMESPACE } });
      return `${NAMESPACE}/${name}`;
    },
    platform: (name = 'acme') => api.peek<PlatformResource>(PLATFORM, NAMESPACE, name),
    restarted: () => reconcilerWith(new Applier(client)),
    async stop() {
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}

/**
 * What the Deployment controller would do once every pod is up: each Deployment of the namespace
 * reports all its replicas updated and available for its current generation.
 */
export function deploymentsRollOut(api: FakeKube): void {
  for (const deployment of api.peekAll<KubeResource & { spec?: { replicas?: number } }>(DEPLOYMENT, NAMESPACE)) {
    const replicas = deployment.spec?.replicas ?? 1;
    api.setStatus(DEPLOYMENT, NAMESPACE, deployment.metadata.name, {
      observedGeneration: deployment.metadata.generation,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
    });
  }
}
