import { describe, expect, it, jest } from '@jest/globals';
import { Registry } from 'prom-client';
import { platform } from '../api/fixtures.js';
import { platformSamples } from '../api/platform-metrics.js';
import type { KycPlatform } from '../api/types.js';
import { registerPlatformGauges } from './platform-gauges.js';

const ready: KycPlatform = {
  ...platform({}, 'acme'),
  status: {
    phase: 'Ready',
    conditions: [{ type: 'Ready', status: 'True', reason: 'AllReady', message: '', lastTransitionTime: '2026-12-01T10:00:00Z' }],
  },
};
const failing: KycPlatform = {
  ...platform({}, 'beta'),
  status: { phase: 'Failed', scaling: { kyc: { mode: 'Autoscaled', fallback: true } } },
};

describe('registerPlatformGauges', () => {
  it("exports the platforms the cache holds at scrape time, and drops a deleted platform's series", async () => {
    const registry = new Registry();
    let cached = [ready, failing];
    registerPlatformGauges(registry, () => cached);

    const first = await registry.metrics();
    expect(first).toContain('kyc_platform_ready{namespace="kyc-test",name="acme"} 1');
    expect(first).toContain('kyc_platform_ready{namespace="kyc-test",name="beta"} 0');
    expect(first).toContain('kyc_platform_phase{namespace="kyc-test",name="beta",phase="Failed"} 1');
    expect(first).toContain('kyc_platform_scaling_fallback{namespace="kyc-test",name="beta",component="kyc"} 1');
    expect(first).toContain('# TYPE kyc_platform_release_phase gauge');

    cached = [ready];
    const second = await registry.metrics();
    expect(second).toContain('name="acme"');
    expect(second).not.toContain('name="beta"');
  });

  it('computes each platform’s samples once a scrape for all sixteen gauges, and keeps none between scrapes', async () => {
    const registry = new Registry();
    let cached = [failing];
    const reads = jest.fn(platformSamples);
    registerPlatformGauges(registry, () => cached, reads);
    await registry.metrics();
    // Sixteen gauges, one scrape, one platform: computed once.
    expect(reads).toHaveBeenCalledTimes(1);
    // A scrape is a request of its own (a later turn of the event loop): computed again, from the cache as it is then.
    await new Promise((resolve) => setImmediate(resolve));
    cached = [{ ...failing, status: { ...failing.status, phase: 'Ready' } }];
    expect(await registry.metrics()).toContain('kyc_platform_phase{namespace="kyc-test",name="beta",phase="Ready"} 1');
    expect(reads).toHaveBeenCalledTimes(2);
    // Nothing of the samples is kept by the registry: a gauge has no series of its own to reset or to read.
    expect(Object.keys(registry.getSingleMetric('kyc_platform_phase') ?? {})).not.toContain('hashMap');
  });
});
