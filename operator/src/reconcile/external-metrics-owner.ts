// Reads who holds the APIService v1beta1.external.metrics.k8s.io at start and every minute
// (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"), for the ScalingDegraded condition
// of platforms whose HPAs need the operator's external metrics. The decision is metrics-api/ownership.ts;
// this is its I/O. A change wakes every platform, so that their conditions follow within a pass.
import { APISERVICE, APISERVICE_NAME } from '../metrics-api/registration.js';
import { externalMetricsOwnership, type ApiServiceView, type ExternalMetricsOwnership } from '../metrics-api/ownership.js';
import type { KubeClient, KubeResource } from '../runtime/kube.js';
import type { Logger } from '../runtime/logger.js';

export const OWNERSHIP_CHECK_MS = 60_000;

export interface OwnershipWatchOptions {
  client: KubeClient;
  logger: Logger;
  /** The operator's own Service (--external-metrics-service), undefined when it does not serve the API. */
  own: { namespace: string; name: string } | undefined;
  /** Called when the owner changes (the composition root resyncs every platform). */
  onChange: () => void;
  intervalMs?: number;
}

export class ExternalMetricsOwnerWatch {
  private ownership: ExternalMetricsOwnership | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OwnershipWatchOptions) {}

  /** The Service holding the API when it is another server's, as last read; undefined otherwise or before the first read. */
  get owner(): string | undefined {
    return this.ownership?.state === 'Elsewhere' ? this.ownership.owner : undefined;
  }

  /** Reads once; a failed read (RBAC, the API server) keeps the last answer and is logged. */
  async check(): Promise<ExternalMetricsOwnership | undefined> {
    try {
      const live = await this.options.client.get<KubeResource & ApiServiceView>(APISERVICE, '', APISERVICE_NAME);
      const next = externalMetricsOwnership(live, this.options.own);
      const changed = JSON.stringify(next) !== JSON.stringify(this.ownership);
      this.ownership = next;
      if (changed) {
        const level = next.state === 'Elsewhere' ? 'warn' : 'info';
        this.options.logger[level]({ apiService: APISERVICE_NAME, ...next }, 'external metrics API ownership');
        this.options.onChange();
      }
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, `cannot read APIService ${APISERVICE_NAME}`);
    }
    return this.ownership;
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? OWNERSHIP_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
