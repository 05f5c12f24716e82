import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueCa, issueLeaf } from '../../api/x509.js';
import { describe, expect, it } from '@jest/globals';
import {
  ComponentScraper,
  difference,
  histogramQuantile,
  parseSamples,
  podCounters,
  getPodText,
  podMetricsUrl,
  PodScrapeSource,
  type ComponentPods,
  type PodTarget,
} from './pod-scrape.js';
import { SharedResources } from './shared.js';

const exposition = (requests: number, buckets: [string, number][]): string =>
  [
    '# HELP kyc_http_requests_total HTTP requests by route, method and status',
    '# TYPE kyc_http_requests_total counter',
    `kyc_http_requests_total{method="GET",route="/v1/applications",code="200",component="kyc"} ${requests - 1}`,
    `kyc_http_requests_total{method="POST",route="/v1/applications",code="202",component="kyc"} 1`,
    '# TYPE kyc_http_request_duration_seconds histogram',
    ...buckets.map(([le, n]) => `kyc_http_request_duration_seconds_bucket{le="${le}",method="GET",route="/x",code="200"} ${n}`),
    `kyc_http_request_duration_seconds_sum{method="GET",route="/x",code="200"} 1.5`,
    'process_cpu_seconds_total 12.5',
  ].join('\n');

describe('podMetricsUrl', () => {
  it("scrapes the pod's metrics port 9090, never the http port the Services expose", () => {
    expect(podMetricsUrl('10.244.128.5')).toBe('http://10.244.128.5:9090/metrics');
  });
});

describe('parseSamples', () => {
  it('reads the named families with their labels, escapes included', () => {
    const samples = parseSamples('a_total{x="q\\"uote",y="b"} 3\nb_total 4\n# comment\na_total 2.5e1', new Set(['a_total']));
    expect(samples).toEqual([
      { name: 'a_total', labels: { x: 'q"uote', y: 'b' }, value: 3 },
      { name: 'a_total', labels: {}, value: 25 },
    ]);
  });
});

describe('podCounters and difference', () => {
  it('sums the request counter over labels and merges the buckets', () => {
    const counters = podCounters(
      exposition(10, [
        ['0.1', 4],
        ['+Inf', 10],
      ]),
    );
    expect(counters.requests).toBe(10);
    expect([...counters.buckets]).toEqual([
      [0.1, 4],
      [Infinity, 10],
    ]);
  });
  it('treats a counter that went down as a restart', () => {
    const before = { requests: 100, buckets: new Map([[Infinity, 100]]) };
    const after = { requests: 5, buckets: new Map([[Infinity, 5]]) };
    expect(difference(before, after)).toBe(after);
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    const buckets = new Map([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.3);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.75);
  });
  it('answers the highest finite bound when the rank is in +Inf, and 0 without observations', () => {
    expect(
      histogramQuantile(
        0.99,
        new Map([
          [1, 1],
          [Infinity, 10],
        ]),
      ),
    ).toBe(1);
    expect(histogramQuantile(0.5, new Map())).toBe(0);
  });
});

/** A scraper over in-memory pages (a missing page answers 503) and a settable clock. */
function fakeScraper(): { scraper: ComponentScraper; pages: Map<string, string>; setClock: (ms: number) => void } {
  let clock = 0;
  const pages = new Map<string, string>();
  const scraper = new ComponentScraper(
    (url) => {
      const page = pages.get(url);
      return page === undefined ? Promise.reject(new Error(`GET ${url}: HTTP 503`)) : Promise.resolve(page);
    },
    () => clock,
  );
  return { scraper, pages, setClock: (ms) => void (clock = ms) };
}

describe('ComponentScraper', () => {
  it('computes requests per second and a percentile over the interval between two scrapes, summed over pods', async () => {
    const { scraper, pages, setClock } = fakeScraper();
    const pods = [
      { name: 'a', url: 'http://a/metrics' },
      { name: 'b', url: 'http://b/metrics' },
    ];
    pages.set(
      'http://a/metrics',
      exposition(100, [
        ['0.1', 100],
        ['+Inf', 100],
      ]),
    );
    pages.set(
      'http://b/metrics',
      exposition(50, [
        ['0.1', 50],
        ['+Inf', 50],
      ]),
    );
    await expect(scraper.scrape(pods)).rejects.toThrow('first scrape');
    setClock(10_000);
    pages.set(
      'http://a/metrics',
      exposition(300, [
        ['0.1', 200],
        ['0.5', 300],
        ['+Inf', 300],
      ]),
    );
    pages.set(
      'http://b/metrics',
      exposition(150, [
        ['0.1', 150],
        ['+Inf', 150],
      ]),
    );
    const result = await scraper.scrape(pods);
    expect(result.requestsPerSecond).toBeCloseTo(30); // (200 + 100) / 10 s
    expect(result.latencyMs.p50).toBeCloseTo(75); // 150th of 300 observations (200 in ≤100 ms)
    setClock(20_000);
    pages.delete('http://b/metrics');
    expect((await scraper.scrape(pods)).requestsPerSecond).toBe(0);
    pages.delete('http://a/metrics');
    await expect(scraper.scrape(pods)).rejects.toThrow('every pod');
    await expect(scraper.scrape([])).rejects.toThrow('no running pods');
  });

  it('counts a pod without an interval yet (just scaled out) or without an answer at the mean rate of the others', async () => {
    const { scraper, pages, setClock } = fakeScraper();
    const a = { name: 'a', url: 'http://a/metrics' };
    const b = { name: 'b', url: 'http://b/metrics' };
    const c = { name: 'c', url: 'http://c/metrics' };
    pages.set(a.url, exposition(100, [['+Inf', 100]]));
    pages.set(b.url, exposition(100, [['+Inf', 100]]));
    await expect(scraper.scrape([a, b])).rejects.toThrow('first scrape');
    setClock(10_000);
    pages.set(a.url, exposition(170, [['+Inf', 170]]));
    pages.set(b.url, exposition(170, [['+Inf', 170]]));
    pages.set(c.url, exposition(40, [['+Inf', 40]]));
    // a and b: 7/s each; c is new (no interval): counted at their mean, 7/s, not 0.
    expect((await scraper.scrape([a, b, c])).requestsPerSecond).toBeCloseTo(21);
    setClock(20_000);
    pages.set(a.url, exposition(220, [['+Inf', 220]]));
    pages.set(b.url, exposition(220, [['+Inf', 220]]));
    pages.set(c.url, exposition(90, [['+Inf', 90]]));
    // Every pod measured now: 5/s each.
    expect((await scraper.scrape([a, b, c])).requestsPerSecond).toBeCloseTo(15);
    setClock(30_000);
    pages.set(a.url, exposition(280, [['+Inf', 280]]));
    pages.set(b.url, exposition(280, [['+Inf', 280]]));
    pages.delete(c.url);
    // c does not answer: its share is taken to be the mean of a and b (6/s), not dropped.
    expect((await scraper.scrape([a, b, c])).requestsPerSecond).toBeCloseTo(18);
  });
});

const place = { namespace: 'ns', platform: 'acme', component: 'kyc' };

describe('PodScrapeSource', () => {
  it("lists the component's pods by its labels, and overlapping reads of one component share one scrape", async () => {
    const selectors: string[] = [];
    const pods = {
      scrapers: new SharedResources<ComponentPods>(),
      listPods: (namespace: string, selector: string): Promise<PodTarget[]> => {
        selectors.push(`${namespace} ${selector}`);
        return Promise.resolve([]);
      },
    };
    const rate = new PodScrapeSource({ ...place, kind: 'requestRate' }, pods);
    const latency = new PodScrapeSource({ ...place, kind: 'latency', percentile: 'p95' }, pods);
    expect(pods.scrapers.size).toBe(1);
    const reads = await Promise.allSettled([rate.read(), latency.read()]);
    expect(reads.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'no running pods to scrape',
      'no running pods to scrape',
    ]);
    expect(selectors).toEqual(['ns app.kubernetes.io/instance=acme,app.kubernetes.io/component=kyc']);
    // The next poll scrapes again.
    await rate.read().catch(() => undefined);
    expect(selectors).toHaveLength(2);
    await rate.close();
    await latency.close();
    expect(pods.scrapers.size).toBe(0);
  });

  it('when the config is bad, then construction fails naming the field and holds no scraper', () => {
    const pods = { scrapers: new SharedResources<ComponentPods>(), listPods: () => Promise.resolve([]) };
    expect(() => new PodScrapeSource({ ...place, component: 'Kyc', kind: 'requestRate' }, pods)).toThrow(/^pod-scrape source: component: /);
    expect(pods.scrapers.size).toBe(0);
  });
});

describe('getPodText over https (tls BuiltIn)', () => {
  const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) };
  const ca = issueCa('test platform CA', validity);
  const leaf = issueLeaf(ca, {
    commonName: 'acme-kyc',
    subjectAltNames: ['acme-kyc', 'acme-kyc.shop.svc'],
    usages: ['server', 'client'],
    ...validity,
  });

  it('trusts the platform bundle and checks the component’s Service name, not the pod IP', async () => {
    const server = createHttpsServer({ cert: leaf.cert, key: leaf.key, minVersion: 'TLSv1.3' }, (_req, res) =>
      res.end('kyc_http_requests_total 1\n'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      expect(await getPodText(url, 2000, { ca: ca.cert, servername: 'acme-kyc' })).toEqual({
        status: 200,
        text: 'kyc_http_requests_total 1\n',
      });
      await expect(getPodText(url, 2000, { ca: ca.cert, servername: 'acme-auth' })).rejects.toThrow(
        /does not match certificate's altnames/,
      );
      const stranger = issueCa('someone else', validity);
      await expect(getPodText(url, 2000, { ca: stranger.cert, servername: 'acme-kyc' })).rejects.toThrow(/certificate/);
      expect(podMetricsUrl('10.0.0.1', true)).toBe('https://10.0.0.1:9090/metrics');
    } finally {
      server.close();
    }
  });
});
