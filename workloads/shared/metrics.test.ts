import { describe, expect, it } from '@jest/globals';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it('exports the process metrics under their standard names, labelled with the component and platform', async () => {
    const text = (await new Metrics('kyc', { platform: 'acme' }).render()).body;
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toMatch(new RegExp(`^${name}\\{component="kyc",platform="acme"\\} `, 'm'));
    expect(text).not.toMatch(/^kyc_(process|nodejs)_/m);
  });
});
