// The pod-scrape source of a component's request rate or latency (when the operator has no Prometheus
// URL): the component's running pods are scraped and their counters differentiated between two
// scrapes (ComponentScraper). The request rate and latency of one component share a scraper, and
// reads that overlap share one scrape: the engine reads every metric of a poll at once, and a second
// scrape right after the first would measure a near-zero interval.
//
// Request rate and latency from the components' own /metrics (prom-client text format): the operator
// scrapes every pod of the component each poll and differentiates the counters between two scrapes.
// kyc_http_requests_total gives requests per second; the buckets of kyc_http_request_duration_seconds
// give a latency percentile over the interval (linear interpolation inside a bucket, as
// Prometheus' histogram_quantile does).
import type { Percentile } from '../../api/metrics.js';
import { get as httpsGet } from 'node:https';
import { METRICS_PORT } from '../../render/meta.js';
import type { Lease, SharedResources } from './shared.js';
import {
  DURATION_METRIC,
  httpReadingSchema,
  PERCENTILES,
  REQUESTS_METRIC,
  sourceConfig,
  type HttpReadingConfig,
  type MetricReading,
  type MetricSource,
} from './source.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of the named metric families in a text-format exposition. */
export function parseSamples(text: string, names: ReadonlySet<string>): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    if (!names.has(name)) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[3] ?? '').matchAll(LABEL))
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[4]);
    if (Number.isFinite(value) || match[4] === '+Inf') out.push({ name, labels, value });
  }
  return out;
}

/** Cumulative counts a pod has served so far: requests and the duration histogram (le → count). */
export interface PodCounters {
  requests: number;
  buckets: Map<number, number>;
}

export function podCounters(text: string): PodCounters {
  const samples = parseSamples(text, new Set([REQUESTS_METRIC, `${DURATION_METRIC}_bucket`]));
  const counters: PodCounters = { requests: 0, buckets: new Map() };
  for (const s of samples) {
    if (s.name === REQUESTS_METRIC) counters.requests += s.value;
    else {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      counters.buckets.set(le, (counters.buckets.get(le) ?? 0) + s.value);
    }
  }
  return counters;
}

/** `later − earlier`, treating a counter that went down as a restarted process (counts from zero). */
export function difference(earlier: PodCounters | undefined, later: PodCounters): PodCounters {
  if (!earlier || later.requests < earlier.requests) return later;
  const buckets = new Map<number, number>();
  for (const [le, count] of later.buckets) buckets.set(le, Math.max(0, count - (earlier.buckets.get(le) ?? 0)));
  return { requests: later.requests - earlier.requests, buckets };
}

/** The q-quantile (0..1) of a cumulative histogram in seconds; 0 when it saw nothing. */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number {
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return 0;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      // The +Inf bucket has no upper bound: answer with the highest finite one.
      if (le === Infinity) return prevLe;
      if (count === prevCount) return le;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/**
 * Where a pod serves /metrics: its metrics port (contract: docs/workload-contract.md), which no Service
 * exposes and the platform's NetworkPolicies open only to the operator's pods and the monitoring namespace.
 */
export function podMetricsUrl(podIP: string, tls = false): string {
  return `${tls ? 'https' : 'http'}://${podIP}:${METRICS_PORT}/metrics`;
}

/**
 * How to trust a pod's HTTPS (tls.mode BuiltIn, docs/security.md): the platform's trust bundle, and the
 * name its certificate must carry — the component's Service `<platform>-<component>`, never the pod's IP.
 */
export interface PodTls {
  ca: string;
  servername: string;
}

export interface PodTarget {
  name: string;
  url: string;
  tls?: PodTls | undefined;
}

/**
 * GET a pod's metrics port: plain fetch, or, with `tls`, node:https verifying the chain against the
 * platform's bundle and the certificate against `servername`; TLS 1.3 only, as the pods serve it.
 */
export function getPodText(url: string, timeoutMs: number, tls?: PodTls): Promise<{ status: number; text: string }> {
  if (!tls) return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => ({ status: r.status, text: await r.text() }));
  return new Promise((resolve, reject) => {
    const req = httpsGet(
      url,
      { ca: tls.ca, servername: tls.servername, minVersion: 'TLSv1.3', timeout: timeoutMs, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface ScrapeResult {
  requestsPerSecond: number;
  latencyMs: Record<Percentile, number>;
}

/**
 * Scrapes the pods of one component and keeps the previous scrape of each pod, so each call returns
 * the rate and latency since the previous one. The first call has no interval yet and throws.
 */
export class ComponentScraper {
  private previous = new Map<string, { at: number; counters: PodCounters }>();

  constructor(
    private readonly fetchText: (url: string, tls?: PodTls) => Promise<string> = fetchMetrics,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async scrape(pods: readonly PodTarget[]): Promise<ScrapeResult> {
    if (pods.length === 0) throw new Error('no running pods to scrape');
    const results = await Promise.allSettled(
      pods.map(async (pod) => ({ pod, counters: podCounters(await this.fetchText(pod.url, pod.tls)), at: this.now() })),
    );
    const current = new Map<string, { at: number; counters: PodCounters }>();
    let rate = 0;
    let intervals = 0;
    const merged = new Map<number, number>();
    const errors: string[] = [];
    for (const result of results) {
      if (result.status === 'rejected') {
        errors.push((result.reason as Error).message);
        continue;
      }
      const { pod, counters, at } = result.value;
      current.set(pod.name, { at, counters });
      const before = this.previous.get(pod.name);
      if (!before || at <= before.at) continue;
      const delta = difference(before.counters, counters);
      rate += delta.requests / ((at - before.at) / 1000);
      intervals += 1;
      for (const [le, count] of delta.buckets) merged.set(le, (merged.get(le) ?? 0) + count);
    }
    this.previous = current;
    if (current.size === 0) throw new Error(`scrape failed for every pod: ${errors.slice(0, 3).join('; ')}`);
    if (intervals === 0) throw new Error('first scrape: no interval to compute a rate from yet');
    // A pod seen for the first time (just scaled out) has no interval yet, and a pod that did not answer
    // has no reading. Leaving them out would read as a drop in load right after every scale-out, and the
    // HPA would scale back in (a flap each poll with a short stabilisation window). They are counted at
    // the mean rate of the pods that were measured: the Service spreads new connections over every
    // Ready pod, so a new pod takes its share at once.
    if (intervals < pods.length) rate = (rate / intervals) * pods.length;
    const latencyMs = Object.fromEntries(
      (Object.entries(PERCENTILES) as [Percentile, number][]).map(([p, q]) => [p, histogramQuantile(q, merged) * 1000]),
    ) as Record<Percentile, number>;
    return { requestsPerSecond: rate, latencyMs };
  }
}

async function fetchMetrics(url: string, tls?: PodTls): Promise<string> {
  const response = await getPodText(url, 3000, tls);
  if (response.status < 200 || response.status > 299) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.text;
}

/** The running pods of a component with their /metrics URL (https and how to trust it under tls BuiltIn). */
export type ListPods = (namespace: string, labelSelector: string, owner: { platform: string; component: string }) => Promise<PodTarget[]>;

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
export const podsKey = (c: { namespace: string; platform: string; component: string }): string =>
  `${c.namespace}/${c.platform}/${c.component}`;

/** The label selector of a component's pods (the labels render/meta.ts puts on them). */
export const podSelector = (c: { platform: string; component: string }): string =>
  `app.kubernetes.io/instance=${c.platform},app.kubernetes.io/component=${c.component}`;

export class PodScrapeSource implements MetricSource {
  private readonly config: HttpReadingConfig;
  private readonly pods: Lease<ComponentPods>;

  constructor(config: unknown, pods: { scrapers: SharedResources<ComponentPods>; listPods: ListPods }) {
    const c = sourceConfig('pod-scrape', httpReadingSchema, config);
    this.config = c;
    this.pods = pods.scrapers.acquire(
      podsKey(c),
      () =>
        new ComponentPods(new ComponentScraper(), () =>
          pods.listPods(c.namespace, podSelector(c), { platform: c.platform, component: c.component }),
        ),
    );
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
