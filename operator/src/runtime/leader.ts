// Leader election with a coordination.k8s.io/v1 Lease, the way client-go does it: the holder renews
// every retry period; a candidate takes over when it has seen the same renewTime for a whole lease
// duration (measured on its own clock, so clock skew between machines does not matter); writes use the
// Lease's resourceVersion, so two candidates can never both win. The leader steps down when it cannot
// renew within the renew deadline, and releases the Lease on shutdown so that a standby takes over at once.
import { ApiError, isConflict, type KubeClient, type KubeResource, type ResourceType } from './kube.js';
import type { Logger } from './logger.js';

export const LEASE: ResourceType = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true };

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}
export interface Lease extends KubeResource {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

/** Lease timestamps are MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Whether the candidate may take the Lease now. `observedAt` is when this candidate last saw the
 * Lease's record change (its own clock).
 */
export function canAcquire(spec: LeaseSpec | undefined, identity: string, observedAt: number, now: number): boolean {
  if (!spec?.holderIdentity) return true;
  if (spec.holderIdentity === identity) return true;
  const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
  return now >= observedAt + durationMs;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private observed?: { record: string; at: number };
  private lastRenew = 0;
  private lease?: Lease;

  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly options: LeaderElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops campaigning; a leader releases the Lease unless `release` is false (a crash in tests). */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    if (this.leading) {
      if (release) await this.release();
      this.setLeading(false);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.tryAcquireOrRenew();
      } catch (error) {
        if (!isConflict(error)) {
          this.logger.warn({ lease: this.options.leaseName, err: (error as Error).message }, 'lease update failed');
        }
      }
      if (this.leading && Date.now() - this.lastRenew > this.options.renewDeadlineMs) {
        this.logger.warn({ lease: this.options.leaseName }, 'could not renew the lease in time; stepping down');
        this.setLeading(false);
      }
      await this.sleep(this.options.retryPeriodMs);
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { leaseName, leaseNamespace, identity, leaseDurationMs } = this.options;
    const now = new Date();
    const existing = await this.client.get<Lease>(LEASE, leaseNamespace, leaseName);
    if (!existing) {
      const created = await this.client.create<Lease>(LEASE, leaseNamespace, {
        apiVersion: LEASE.apiVersion,
        kind: LEASE.kind,
        metadata: { name: leaseName, namespace: leaseNamespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      });
      this.renewed(created);
      return;
    }
    const spec = existing.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    if (!canAcquire(spec, identity, this.observed.at, Date.now())) {
      if (this.leading) {
        this.logger.warn({ lease: leaseName, holder: spec.holderIdentity }, 'another instance holds the lease; stepping down');
        this.setLeading(false);
      }
      return;
    }
    const takingOver = spec.holderIdentity !== identity;
    const updated = await this.client.replace<Lease>(LEASE, {
      ...existing,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        renewTime: microTime(now),
        acquireTime: takingOver ? microTime(now) : (spec.acquireTime ?? microTime(now)),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver && spec.holderIdentity ? 1 : 0),
      },
    });
    this.renewed(updated);
  }

  private renewed(lease: Lease): void {
    this.lease = lease;
    this.lastRenew = Date.now();
    const spec = lease.spec ?? {};
    this.observed = { record: JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]), at: Date.now() };
    if (!this.leading) this.setLeading(true);
  }

  private async release(): Promise<void> {
    if (!this.lease) return;
    try {
      // Release: an empty holder and a 1 s duration let a standby take over on its next try.
      await this.client.replace<Lease>(LEASE, {
        ...this.lease,
        spec: { ...this.lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(new Date()) },
      });
      this.logger.info({ lease: this.options.leaseName }, 'released the lease');
    } catch (error) {
      const status = error instanceof ApiError ? error.status : undefined;
      this.logger.warn({ lease: this.options.leaseName, status }, 'could not release the lease');
    }
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.logger.info(
      { lease: this.options.leaseName, identity: this.options.identity, leading },
      leading ? 'became the leader' : 'no longer the leader',
    );
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
