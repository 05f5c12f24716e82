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

  it('computes a platform’s samples once per version the cache holds, and again for a new version', async () => {
    const registry = new Registry();
    const v1: KycPlatform = { ...failing, metadata: { ...failing.metadata, resourceVersion: '1' } };
    let cached = [v1];
    const reads = jest.fn(platformSamples);
    registerPlatformGauges(registry, () => cached, reads);
    await registry.metrics();
    await registry.metrics();
    // Sixteen gauges, two scrapes, one platform: computed once.
    expect(reads).toHaveBeenCalledTimes(1);
    const v2: KycPlatform = { ...v1, metadata: { ...v1.metadata, resourceVersion: '2' }, status: { ...v1.status, phase: 'Ready' } };
    cached = [v2];
    expect(await registry.metrics()).toContain('kyc_platform_phase{namespace="kyc-test",name="beta",phase="Ready"} 1');
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
