// The scaling engine: keeps one reading per (platform, component, custom metric), polled in the
// background, so that the external metrics API answers from memory and the status can say what each
// metric asks for. Failures follow the component's fallback policy, else the platform's (fallback.ts):
// after N consecutive failures the metric reports the value that makes the HPA hold the fallback count.
// Each reading has its own metric source (sources/), built from the registry when the metric is declared
// and closed when it changes or goes away, so a deleted platform leaves no connection behind.
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import { dependencySecret, desiredComponentNames, hasPerComponentCredentials } from '../api/defaults.js';
import type { Logger } from '../runtime/logger.js';
import {
  afterRead,
  DEFAULT_FAILURE_THRESHOLD,
  fallbackPolicy,
  HEALTHY,
  type FailureState,
  type FallbackPolicy,
  type Transition,
} from './fallback.js';
import { componentMetrics, COMPONENT_LABEL, MetricUnavailableError, PLATFORM_LABEL, type ComponentMetric } from '../api/metrics.js';
import { valueForReplicas } from './metrics.js';
import type { ListPods } from './sources/pod-scrape.js';
import type { ReadSecret } from './sources/kafka-brokers.js';
import type { KafkaCredential, LagReader } from './sources/kafka-lag.js';
import { buildSource, sourceRegistry, type SourceRegistry, type SourceSettings } from './sources/registry.js';
import type { MetricPlace, MetricSource } from './sources/source.js';

/** A Kafka connection that reads consumer lag (KafkaLagReader). */
export type LagSource = LagReader;

export interface EngineOptions {
  logger: Logger;
  pollIntervalMs: number;
  /**
   * Reads a platform's Kafka Secret by name, for its queueLag metrics (each platform's own brokers);
   * undefined = those metrics fail (and fall back).
   */
  readSecret?: ReadSecret;
  /**
   * Opens a connection to a broker list (default: a kafkajs admin). A connection is closed when no
   * metric reads lag from those brokers any more, and so when the engine stops.
   */
  connectKafka?: (brokers: readonly string[], ca?: string, sasl?: KafkaCredential) => LagSource;
  /** How often a Kafka Secret is read again, ms (default 60 s). */
  kafkaSecretRefreshMs?: number;
  /** Request rate and latency through Prometheus instead of scraping the pods. */
  prometheusUrl?: string;
  /** The running pods of a component with their /metrics URL (scraping). */
  listPods?: ListPods;
  /** The sources by kind of metric; by default built from readSecret, connectKafka, prometheusUrl and listPods. */
  sources?: SourceRegistry;
  /** A metric started failing or recovered (for Events and a status refresh). */
  onTransition?: (
    platformKey: string,
    component: ComponentName,
    metric: string,
    transition: NonNullable<Transition>,
    message: string,
  ) => void;
  now?: () => Date;
}

export interface Reading {
  metric: ComponentMetric;
  value: number | undefined;
  readAt: Date | undefined;
  /** The last reading asked for work (the source's activity; nothing scales to zero on it yet). */
  active?: boolean;
  state: FailureState;
}

interface Entry extends Reading {
  platformKey: string;
  component: ComponentName;
  fallback: FallbackPolicy | undefined;
  currentReplicas: number;
  place: MetricPlace;
  /** Where the metric is read from, or why no source could be built (each read then fails with it). */
  source: MetricSource | Error;
}

const entryKey = (platformKey: string, component: string, metric: string): string => `${platformKey}/${component}/${metric}`;

export class ScalingEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly sources: SourceRegistry;
  /** Sources being closed (stop waits for them). */
  private readonly closing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: EngineOptions) {
    const { readSecret, connectKafka, kafkaSecretRefreshMs, prometheusUrl, listPods } = options;
    const settings: SourceSettings = {
      ...(readSecret ? { readSecret } : {}),
      ...(connectKafka ? { connectKafka } : {}),
      ...(kafkaSecretRefreshMs === undefined ? {} : { kafkaSecretRefreshMs }),
      ...(prometheusUrl ? { prometheusUrl } : {}),
      ...(listPods ? { listPods } : {}),
    };
    this.sources = options.sources ?? sourceRegistry(settings);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.pollOnce(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    for (const entry of this.entries.values()) this.retire(entry);
    this.entries.clear();
    // Closing every source gives back every Kafka connection too (the last lease closes it).
    await Promise.all(this.closing);
  }

  /**
   * Declares what a platform's components scale on (called by every reconcile pass). Readings of
   * metrics that stay are kept; `currentReplicas` is the Deployment's replica count per component.
   */
  sync(platformKey: string, platform: KycPlatform, currentReplicas: Partial<Record<ComponentName, number>>): void {
    const wanted = new Set<string>();
    const brokersRef = dependencySecret(platform.spec, 'kafka');
    // Declared tls: Required, the lag reader speaks TLS too, trusting ca.crt of the same Secret; with PerComponent
    // credentials it signs in as its own read-only principal from that Secret (docs/security.md, "Kafka").
    const kafka = brokersRef && {
      ...brokersRef,
      ...(platform.spec.dependencies?.kafka?.tls === 'Required' && { tls: true }),
      ...(hasPerComponentCredentials(platform.spec, 'kafka') && { credentials: true }),
    };
    for (const component of desiredComponentNames(platform.spec)) {
      const fallback = fallbackPolicy(platform.spec, component);
      for (const metric of componentMetrics(platform, component)) {
        const key = entryKey(platformKey, component, metric.name);
        wanted.add(key);
        const existing = this.entries.get(key);
        const replicas = currentReplicas[component] ?? existing?.currentReplicas ?? 1;
        const place: MetricPlace = {
          namespace: platform.metadata.namespace ?? '',
          platform: platform.metadata.name,
          component,
          ...(kafka && metric.kind === 'queueLag' ? { kafka } : {}),
        };
        // A platform naming another Kafka Secret gets a new source, as a changed metric does.
        if (
          existing &&
          JSON.stringify(existing.metric) === JSON.stringify(metric) &&
          JSON.stringify(existing.place) === JSON.stringify(place)
        ) {
          existing.fallback = fallback;
          existing.currentReplicas = replicas;
          continue;
        }
        // The new source is built before the old one closes, so what they share (the Kafka connection,
        // the component's scrape history) carries over a changed target.
        this.entries.set(key, {
          platformKey,
          component,
          metric,
          place,
          fallback,
          currentReplicas: replicas,
          value: undefined,
          readAt: undefined,
          state: HEALTHY,
          source: this.build(metric, place),
        });
        if (existing) this.retire(existing);
      }
    }
    for (const [key, entry] of this.entries) {
      if (entry.platformKey === platformKey && !wanted.has(key)) {
        this.entries.delete(key);
        this.retire(entry);
      }
    }
  }

  forget(platformKey: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.platformKey === platformKey) {
        this.entries.delete(key);
        this.retire(entry);
      }
    }
  }

  private build(metric: ComponentMetric, place: MetricPlace): MetricSource | Error {
    try {
      return buildSource(this.sources, metric, place);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Closes the source of an entry that is gone, once a read of it in flight is over. */
  private retire(entry: Entry): void {
    const source = entry.source;
    if (source instanceof Error) return;
    const closing = (this.polling ?? Promise.resolve())
      .then(() => source.close())
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: describe(error), metric: entry.metric.name, component: entry.component },
          'closing a metric source failed',
        ),
      );
    this.closing.add(closing);
    void closing.then(() => this.closing.delete(closing));
  }

  /** The readings of one platform's component, in metric order. */
  readings(platformKey: string, component: ComponentName): Reading[] {
    return [...this.entries.values()].filter((e) => e.platformKey === platformKey && e.component === component);
  }

  /** True while some metric of the platform is in fallback. */
  inFallback(platformKey: string, component: ComponentName): boolean {
    return this.readings(platformKey, component).some((r) => r.state.inFallback);
  }

  /** Metric names the API serves in a namespace (for the discovery of external metrics). */
  metricNames(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.metric.name))].sort();
  }

  /**
   * The value the external metrics API returns for `metric` in `namespace` with the HPA's selector.
   * Throws MetricUnavailableError when there is no usable reading (the HPA then keeps its count).
   */
  value(namespace: string, metric: string, selector: Readonly<Record<string, string>>): { value: number; timestamp: Date } {
    const platform = selector[PLATFORM_LABEL];
    const component = selector[COMPONENT_LABEL];
    if (!platform || !component) throw new MetricUnavailableError(`the selector must name ${PLATFORM_LABEL} and ${COMPONENT_LABEL}`);
    const entry = this.entries.get(entryKey(`${namespace}/${platform}`, component, metric));
    if (!entry) throw new MetricUnavailableError(`no metric ${metric} for ${component} of ${namespace}/${platform}`);
    const now = this.now();
    if (entry.state.inFallback && entry.fallback) {
      return { value: valueForReplicas(entry.metric, entry.fallback.replicas, entry.currentReplicas), timestamp: now };
    }
    if (entry.value === undefined || !entry.readAt)
      throw new MetricUnavailableError(
        `${metric} of ${component} has no reading yet${entry.state.lastError ? `: ${entry.state.lastError}` : ''}`,
      );
    if (entry.state.consecutiveFailures > 0)
      throw new MetricUnavailableError(`${metric} of ${component} is failing: ${entry.state.lastError ?? ''}`);
    return { value: entry.value, timestamp: entry.readAt };
  }

  /** Reads every metric once (the poll loop calls it; tests call it directly). */
  async pollOnce(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.pollAll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollAll(): Promise<void> {
    const entries = [...this.entries.values()];
    // Every source is read at once: the request rate and latency of a component share one scrape.
    await Promise.all(
      entries.map(async (entry) => {
        let outcome: { ok: true } | { ok: false; error: string };
        try {
          if (entry.source instanceof Error) throw entry.source;
          const reading = await entry.source.read();
          entry.value = reading.value;
          entry.active = reading.active;
          entry.readAt = this.now();
          outcome = { ok: true };
        } catch (error) {
          outcome = { ok: false, error: describe(error) };
        }
        const threshold = entry.fallback?.threshold ?? DEFAULT_FAILURE_THRESHOLD;
        const { state, transition } = afterRead(entry.state, outcome, threshold);
        entry.state = state;
        // The entry may have been dropped by a sync while the read was in flight.
        if (transition && this.entries.get(entryKey(entry.platformKey, entry.component, entry.metric.name)) === entry) {
          const message =
            transition === 'recovered'
              ? `${entry.metric.name} of ${entry.component} can be read again`
              : transition === 'fallback' && entry.fallback
                ? `${entry.metric.name} of ${entry.component} failed ${state.consecutiveFailures} times in a row: holding ${entry.fallback.replicas} replicas (${state.lastError ?? ''})`
                : `${entry.metric.name} of ${entry.component} cannot be read: ${state.lastError ?? ''}`;
          this.options.onTransition?.(entry.platformKey, entry.component, entry.metric.name, transition, message);
        }
      }),
    );
  }
}

function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 3) {
    parts.push(current.message);
    current = current.cause;
  }
  return (parts.length ? parts.join(': ') : String(error)).slice(0, 500);
}
