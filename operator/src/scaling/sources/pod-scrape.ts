// The pod-scrape source of a component's request rate or latency (when the operator has no Prometheus
// URL): the component's running pods are scraped and their counters differentiated between two
// scrapes (ComponentScraper). The request rate and latency of one component share a scraper, and
// reads that overlap share one scrape: the engine reads every metric of a poll at once, and a second
// scrape right after the first would measure a near-zero interval.
import { ComponentScraper, type PodTarget, type ScrapeResult } from '../scrape.js';
import { httpReadingSchema, type HttpReadingConfig } from './prometheus.js';
import type { Lease, SharedResources } from './shared.js';
import { sourceConfig, type MetricReading, type MetricSource } from './source.js';

/** The running pods of a component with their /metrics URL. */
export type ListPods = (namespace: string, labelSelector: string) => Promise<PodTarget[]>;

/** One component's scraper and the scrape in flight, if any. */
export class ComponentPods {
  private inFlight: Promise<ScrapeResult> | undefined;

  constructor(
    private readonly scraper: ComponentScraper,
    private readonly listPods: () => Promise<PodTarget[]>,
  ) {}

  scrape(): Promise<ScrapeResult> {
    if (this.inFlight) return this.inFlight;
    const pending = (async () => this.scraper.scrape(await this.listPods()))();
    this.inFlight = pending;
    const done = (): void => {
      if (this.inFlight === pending) this.inFlight = undefined;
    };
    pending.then(done, done);
    return pending;
  }
}

/** The key of a component's shared scraper. */
export const podsKey = (c: { namespace: string; platform: string; component: string }): string => `${c.namespace}/${c.platform}/${c.component}`;

/** The label selector of a component's pods (the labels render/meta.ts puts on them). */
export const podSelector = (c: { platform: string; component: string }): string => `app.kubernetes.io/instance=${c.platform},app.kubernetes.io/component=${c.component}`;

export class PodScrapeSource implements MetricSource {
  private readonly config: HttpReadingConfig;
  private readonly pods: Lease<ComponentPods>;

  constructor(config: unknown, pods: { scrapers: SharedResources<ComponentPods>; listPods: ListPods }) {
    const c = sourceConfig('pod-scrape', httpReadingSchema, config);
    this.config = c;
    this.pods = pods.scrapers.acquire(podsKey(c), () => new ComponentPods(new ComponentScraper(), () => pods.listPods(c.namespace, podSelector(c))));
  }

  async read(): Promise<MetricReading> {
    const result = await this.pods.value.scrape();
    const value = this.config.kind === 'requestRate' ? result.requestsPerSecond : result.latencyMs[this.config.percentile];
    return { value, active: value > 0 };
  }

  close(): Promise<void> {
    return this.pods.release();
  }
}
