// Registers the per-platform state gauges of api/platform-metrics.ts with prom-client. The values are
// read at scrape time from the platforms the operator's informer holds, so they are as fresh as the
// cache and a deleted platform's series disappear with it (docs/observability.md). Every replica
// exports them (each runs the informer, leader or not); the alerts take the max over pods.
import { Gauge, type Registry } from 'prom-client';
import { PLATFORM_GAUGES, platformSamples, type PlatformGauge, type PlatformSamples } from '../api/platform-metrics.js';
import type { KycPlatform } from '../api/types.js';

export function registerPlatformGauges(
  registry: Registry,
  platforms: () => readonly KycPlatform[],
  /** The samples of one platform (its tests count the calls). */
  compute: (platform: KycPlatform) => PlatformSamples = platformSamples,
): void {
  // A platform's samples, computed once per version of it the cache holds (a new version is a new object):
  // the sixteen gauges each computed every platform's at every scrape, and at 1,000 platforms that was a
  // fifth of the operator's CPU while it was scraped every second (docs/benchmarks.md, "Operator").
  const computed = new WeakMap<KycPlatform, { resourceVersion: string | undefined; samples: PlatformSamples }>();
  const samplesOf = (platform: KycPlatform): PlatformSamples => {
    const known = computed.get(platform);
    if (known && known.resourceVersion === platform.metadata.resourceVersion) return known.samples;
    const samples = compute(platform);
    computed.set(platform, { resourceVersion: platform.metadata.resourceVersion, samples });
    return samples;
  };
  for (const key of Object.keys(PLATFORM_GAUGES) as PlatformGauge[]) {
    const { name, help, labelNames } = PLATFORM_GAUGES[key];
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Gauge) {
        this.reset();
        for (const platform of platforms()) for (const sample of samplesOf(platform)[key]) this.set(sample.labels, sample.value);
      },
    });
  }
}
