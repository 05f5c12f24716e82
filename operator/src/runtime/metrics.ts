// Prometheus metrics of one operator instance. Each instance has its own registry, so that two
// operators in one process (tests of leader election) do not share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const MUTATING_VERBS = ['create', 'update', 'patch', 'apply', 'delete'] as const;

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'kyc_operator_reconcile_total',
    // A conflict (409: the object changed between read and write) is retried like an error but is
    // part of optimistic concurrency, so it is counted apart and not in reconcile_errors_total.
    help: 'Reconcile passes by result (success, requeue, conflict, error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'kyc_operator_reconcile_errors_total',
    help: 'Reconcile passes that failed and were retried with backoff.',
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'kyc_operator_reconcile_duration_seconds',
    help: 'Time one reconcile pass takes.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'kyc_operator_workqueue_depth',
    help: 'Platforms waiting to be reconciled.',
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'kyc_operator_workqueue_queue_duration_seconds',
    // controller-runtime's workqueue_queue_duration_seconds: the time from being queued to a pass taking it.
    help: 'Time a platform waits in the work queue before a reconcile pass takes it.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60],
    registers: [this.registry],
  });
  readonly apiRequestDuration = new Histogram({
    name: 'kyc_operator_api_request_duration_seconds',
    // client-go's rest_client_request_duration_seconds; watches are long-lived and left out.
    help: 'Time a Kubernetes API request takes, until its whole answer is read, by verb and resource.',
    labelNames: ['verb', 'resource'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: 'kyc_operator_api_requests_total',
    help: 'Requests to the Kubernetes API by verb, resource and HTTP status code.',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'kyc_operator_watch_restarts_total',
    help: 'Watches (or their lists) restarted after an error or a server-side close, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'kyc_operator_leader',
    help: '1 while this instance holds the leader Lease.',
    registers: [this.registry],
  });
  readonly skippedApplies = new Counter({
    name: 'kyc_operator_apply_skipped_total',
    help: 'Owned objects whose desired state was unchanged and not drifted, so no write was made.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    // The standard names (process_*, nodejs_*) as stock Node.js dashboards expect (docs/observability.md).
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Sum of API requests matching the filter (used by tests and the benchmark). */
  async apiRequestCount(filter: (labels: { verb: string; resource: string; code: string }) => boolean): Promise<number> {
    const snapshot = await this.apiRequests.get();
    let total = 0;
    for (const value of snapshot.values) {
      const labels = value.labels as { verb: string; resource: string; code: string };
      if (filter(labels)) total += value.value;
    }
    return total;
  }

  /** Mutating requests, excluding the leader Lease's renewals (the only writes of an idle leader). */
  async writes(options: { includeLeases?: boolean; includeEvents?: boolean } = {}): Promise<number> {
    return this.apiRequestCount(
      ({ verb, resource }) =>
        (MUTATING_VERBS as readonly string[]).includes(verb) &&
        (options.includeLeases || resource !== 'leases') &&
        (options.includeEvents !== false || resource !== 'events'),
    );
  }
}
