// Registers the per-platform state gauges of api/platform-metrics.ts with prom-client. The values are
// read at scrape time from the platforms the operator's informer holds, so they are as fresh as the
// cache and a deleted platform's series disappear with it (docs/observability.md). Every replica
// exports them (each runs the informer, leader or not); the alerts take the max over pods.
import type { Metric, Registry } from 'prom-client';
import { PLATFORM_GAUGES, platformSamples, type GaugeSample, type PlatformGauge, type PlatformSamples } from '../api/platform-metrics.js';
import type { KycPlatform } from '../api/types.js';

/** What the registry reads of a gauge: prom-client's own Gauge stores its series, this one computes them. */
interface ScrapedGauge {
  name: string;
  help: string;
  type: 'gauge';
  aggregator: 'omit';
  get(): Promise<{ name: string; help: string; type: 'gauge'; aggregator: 'omit'; values: GaugeSample[] }>;
  reset(): void;
}

export function registerPlatformGauges(
  registry: Registry,
  platforms: () => readonly KycPlatform[],
  /** The samples of one platform (its tests count the calls). */
  compute: (platform: KycPlatform) => PlatformSamples = platformSamples,
): void {
  // The samples of one scrape. The registry reads the sixteen gauges in the same turn of the event loop,
  // so each platform's samples are computed once for all of them (each gauge computing every platform's
  // was a fifth of the operator's CPU at 1,000 platforms scraped every second), and dropped after it:
  // nothing is kept between scrapes. prom-client's gauges kept every series (66 a platform with eight
  // conditions, with their label sets and keys) and the samples beside them until the next scrape,
  // ~21 MiB of heap at 1,000 platforms (docs/benchmarks.md).
  let scrape: Map<KycPlatform, PlatformSamples> | undefined;
  const samplesOf = (platform: KycPlatform): PlatformSamples => {
    if (!scrape) {
      scrape = new Map();
      setImmediate(() => (scrape = undefined));
    }
    let samples = scrape.get(platform);
    if (!samples) scrape.set(platform, (samples = compute(platform)));
    return samples;
  };
  for (const key of Object.keys(PLATFORM_GAUGES) as PlatformGauge[]) {
    const { name, help } = PLATFORM_GAUGES[key];
    const gauge: ScrapedGauge = {
      name,
      help,
      type: 'gauge',
      aggregator: 'omit',
      get: () =>
        Promise.resolve({
          name,
          help,
          type: 'gauge',
          aggregator: 'omit',
          values: platforms().flatMap((platform) => samplesOf(platform)[key]),
        }),
      reset: () => undefined,
    };
    registry.registerMetric(gauge as unknown as Metric);
  }
}
