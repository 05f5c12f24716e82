import { describe, expect, it } from '@jest/globals';
import type { PrometheusClient } from '../prometheus.js';
import { PrometheusSource } from './prometheus.js';

const place = { namespace: 'ns', platform: 'acme', component: 'kyc' };

function fakeClient(value: number, seen: string[] = []): PrometheusClient {
  return {
    query: (promql: string) => {
      seen.push(promql);
      return Promise.resolve(value);
    },
  } as unknown as PrometheusClient; // only query is used
}

describe('PrometheusSource', () => {
  it("queries the component's request rate or latency percentile", async () => {
    const seen: string[] = [];
    expect(await new PrometheusSource({ ...place, kind: 'requestRate' }, fakeClient(12.5, seen)).read()).toEqual({ value: 12.5, active: true });
    expect(await new PrometheusSource({ ...place, kind: 'latency', percentile: 'p99' }, fakeClient(0, seen)).read()).toEqual({ value: 0, active: false });
    expect(seen).toEqual([
      'sum(rate(kyc_http_requests_total{namespace="ns",component="kyc",platform="acme"}[1m]))',
      '1000 * histogram_quantile(0.99, sum by (le) (rate(kyc_http_request_duration_seconds_bucket{namespace="ns",component="kyc",platform="acme"}[1m])))',
    ]);
  });

  it('when a name would change the PromQL or the percentile is unknown, then construction fails naming the field', () => {
    expect(() => new PrometheusSource({ ...place, namespace: 'ns"}', kind: 'requestRate' }, fakeClient(1))).toThrow(/^prometheus source: namespace: /);
    expect(() => new PrometheusSource({ ...place, kind: 'latency', percentile: 'p42' }, fakeClient(1))).toThrow(/^prometheus source: percentile: /);
  });
});
