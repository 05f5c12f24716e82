import { describe, expect, it } from '@jest/globals';
import type { PodTarget } from '../scrape.js';
import { PodScrapeSource, type ComponentPods } from './pod-scrape.js';
import { SharedResources } from './shared.js';

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
    expect(reads.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['no running pods to scrape', 'no running pods to scrape']);
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
