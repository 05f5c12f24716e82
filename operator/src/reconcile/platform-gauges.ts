// The per-platform state gauges of api/platform-metrics.ts as text for /metrics. The values are read at
// scrape time from the platforms the operator's informer holds, so they are as fresh as the cache and a
// deleted platform's series disappear with it (docs/observability.md). Every replica exports them (each
// runs the informer, leader or not); the alerts take the max over pods.
import {
  PLATFORM_GAUGES,
  gaugeHeader,
  platformSamples,
  sampleLines,
  type PlatformGauge,
  type PlatformSamples,
} from '../api/platform-metrics.js';
import type { KycPlatform } from '../api/types.js';

const GAUGES = Object.keys(PLATFORM_GAUGES) as PlatformGauge[];

/** Platforms whose samples exist at once while a scrape is written. */
export const SCRAPE_CHUNK = 100;

/**
 * The gauges' text, one piece at a time, for the metrics server to write after the registry's own.
 *
 * Not prom-client gauges: those keep every series (66 a platform with eight conditions, with their label
 * sets and keys) between scrapes, and a scrape built every sample of every platform before its text, ~27
 * MiB of heap at once at 1,000 platforms (docs/benchmarks.md). Here each platform's samples are computed
 * once a scrape for all sixteen gauges, SCRAPE_CHUNK platforms at a time, and only their text is kept
 * until its gauge's turn: the text format wants each gauge's lines together.
 */
export function* platformGaugeText(
  platforms: readonly KycPlatform[],
  /** The samples of one platform (its tests count the calls). */
  compute: (platform: KycPlatform) => PlatformSamples = platformSamples,
): Generator<string> {
  const text = new Map<PlatformGauge, string[]>(GAUGES.map((gauge) => [gauge, []]));
  for (let start = 0; start < platforms.length; start += SCRAPE_CHUNK) {
    const chunk = platforms.slice(start, start + SCRAPE_CHUNK).map(compute);
    for (const gauge of GAUGES) {
      const lines = chunk.map((samples) => sampleLines(gauge, samples[gauge])).join('');
      if (lines) text.get(gauge)?.push(lines);
    }
  }
  for (const gauge of GAUGES) {
    // A blank line between gauges, as the registry writes its own.
    yield `\n${gaugeHeader(gauge)}`;
    yield* text.get(gauge) ?? [];
    text.delete(gauge);
  }
}
