// Registers the per-platform state gauges of api/platform-metrics.ts with prom-client. The values are
// read at scrape time from the platforms the operator's informer holds, so they are as fresh as the
// cache and a deleted platform's series disappear with it (docs/observability.md). Every replica
// exports them (each runs the informer, leader or not); the alerts take the max over pods.
import { Gauge, type Registry } from 'prom-client';
import { PLATFORM_GAUGES, platformSamples, type PlatformGauge } from '../api/platform-metrics.js';
import type { KycPlatform } from '../api/types.js';

export function registerPlatformGauges(registry: Registry, platforms: () => readonly KycPlatform[]): void {
  for (const key of Object.keys(PLATFORM_GAUGES) as PlatformGauge[]) {
    const { name, help, labelNames } = PLATFORM_GAUGES[key];
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      // Each gauge maps the platforms again: a handful of objects per scrape, simpler than a shared snapshot.
      collect(this: Gauge) {
        this.reset();
        for (const platform of platforms()) for (const sample of platformSamples(platform)[key]) this.set(sample.labels, sample.value);
      },
    });
  }
}
