// Kubernetes Events (core/v1) for the operator's decisions. The same (object, reason, message) is
// recorded once per window: a reconcile that keeps deciding the same thing does not spam Events or
// make writes, and a resync in steady state records nothing. A change of state (Ready, Degraded, a
// dependency back) is said each time it happens: its caller asks for the short TRANSITION_REPEAT_MS,
// which only keeps a pass that read a stale copy of the status from saying it twice.
import type { KubeClient, KubeResource, ResourceType } from './kube.js';
import type { Logger } from './logger.js';

export const EVENT: ResourceType = { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true };

export type EventType = 'Normal' | 'Warning';

/** The shortest time between two records of the same change of state (see above). */
export const TRANSITION_REPEAT_MS = 30_000;

export interface EventSink {
  /** `repeatAfterMs`: how long the same event is not recorded again (default: the recorder's window, 10 min). */
  record(regarding: KubeResource, type: EventType, reason: string, message: string, repeatAfterMs?: number): void;
}

/** Remembers which events were recorded recently; pure, so that the window logic is unit-tested. */
export class EventDeduper {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** True when this event should be recorded now (and remembers it); `windowMs` for this event only. */
  admit(key: string, now: number, windowMs = this.windowMs): boolean {
    const last = this.seen.get(key);
    if (last !== undefined && now - last < windowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    // Oldest entries first in a Map: drop them when the map grows too large.
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
    return true;
  }
}

export class EventRecorder implements EventSink {
  private readonly deduper: EventDeduper;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly component: string,
    private readonly instance: string,
    windowMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.deduper = new EventDeduper(windowMs);
  }

  record(regarding: KubeResource, type: EventType, reason: string, message: string, repeatAfterMs?: number): void {
    const { namespace, name, uid } = regarding.metadata;
    if (!namespace) return;
    if (!this.deduper.admit(`${uid ?? name}|${type}|${reason}|${message}`, this.now(), repeatAfterMs)) return;
    const now = new Date(this.now()).toISOString();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${name}.`, namespace },
      involvedObject: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name,
        namespace,
        uid,
        resourceVersion: regarding.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
      action: reason,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    // Events are best effort: a failure is logged and never fails the reconcile.
    const write = this.client
      .create(EVENT, namespace, event)
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.debug({ reason, object: `${namespace}/${name}`, err: (error as Error).message }, 'could not record event');
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for events still being written (on shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
