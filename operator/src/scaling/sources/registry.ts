// Which source reads each kind of metric, chosen once from the operator's settings: queueLag from the
// platform's own Kafka (the Secret its spec.dependencies.kafka names), request rate and latency from
// Prometheus when it has a URL, else from the pods themselves. A metric that cannot be read (no Secret
// reader, a platform naming no Kafka) has a builder that fails with the reason, and the engine counts
// that as a failed read of the metric, so its fallback applies as for any failure.
import type { ComponentMetric, LatencyMetric, RequestRateMetric } from '../../api/metrics.js';
import { PrometheusClient } from './prometheus.js';
import type { KafkaBrokers, ReadSecret } from './kafka-brokers.js';
import { KafkaLagReader, KafkaLagSource, type KafkaCredential, type LagReader } from './kafka-lag.js';
import { PodScrapeSource, type ComponentPods, type ListPods } from './pod-scrape.js';
import { PrometheusSource } from './prometheus.js';
import { SharedResources } from './shared.js';
import type { MetricPlace, MetricSource } from './source.js';

export type MetricKind = ComponentMetric['kind'];
export type SourceBuilder<K extends MetricKind> = (metric: Extract<ComponentMetric, { kind: K }>, place: MetricPlace) => MetricSource;
/** One builder per kind of metric: a kind without one does not compile. */
export type SourceRegistry = { readonly [K in MetricKind]: SourceBuilder<K> };

/** The source of one metric of a component. Throws when it cannot be built (its config, no brokers). */
export function buildSource(registry: SourceRegistry, metric: ComponentMetric, place: MetricPlace): MetricSource {
  // TypeScript cannot tie registry[metric.kind] to the metric's own kind; the mapped type above does.
  const build = registry[metric.kind] as SourceBuilder<MetricKind>;
  return build(metric, place);
}

export interface SourceSettings {
  /** Reads a platform's Kafka Secret (by name); absent = queueLag metrics cannot be read. */
  readSecret?: ReadSecret;
  /** Opens a connection to a broker list (default: a kafkajs admin, KafkaLagReader). */
  connectKafka?: (brokers: readonly string[], ca?: string, sasl?: KafkaCredential) => LagReader;
  /** How often a Kafka Secret is read again, ms (default 60 s, kafka-brokers.ts). */
  kafkaSecretRefreshMs?: number;
  /** Request rate and latency through Prometheus instead of scraping the pods. */
  prometheusUrl?: string;
  /** The running pods of a component with their /metrics URL (scraping). */
  listPods?: ListPods;
}

export function sourceRegistry(settings: SourceSettings): SourceRegistry {
  const { readSecret, prometheusUrl, listPods } = settings;
  const connectKafka = settings.connectKafka ?? ((brokers, ca, sasl) => new KafkaLagReader(brokers, undefined, ca, sasl));
  const connections = new SharedResources<LagReader>((reader) => reader.close());
  const secrets = new SharedResources<KafkaBrokers>();
  const scrapers = new SharedResources<ComponentPods>();
  const prometheus = prometheusUrl ? new PrometheusClient(prometheusUrl) : undefined;
  const http = (metric: RequestRateMetric | LatencyMetric, place: MetricPlace): MetricSource => {
    const config = {
      namespace: place.namespace,
      platform: place.platform,
      component: place.component,
      kind: metric.kind,
      ...(metric.kind === 'latency' ? { percentile: metric.percentile } : {}),
    };
    if (prometheus) return new PrometheusSource(config, prometheus);
    if (!listPods) throw new Error('pod scraping is not configured');
    return new PodScrapeSource(config, { scrapers, listPods });
  };
  return {
    queueLag: (metric, place) => {
      if (!readSecret) throw new Error('Kafka lag is not configured (no Secret reader)');
      if (!place.kafka) throw new Error('the platform names no Kafka (spec.dependencies.kafka.secretRef)');
      const secret = { namespace: place.namespace, ...place.kafka };
      const kafka = {
        secrets,
        readSecret,
        connections,
        connect: connectKafka,
        ...(settings.kafkaSecretRefreshMs === undefined ? {} : { refreshMs: settings.kafkaSecretRefreshMs }),
      };
      return new KafkaLagSource({ group: metric.group, topics: metric.topics, secret }, kafka);
    },
    requestRate: http,
    latency: http,
  };
}
