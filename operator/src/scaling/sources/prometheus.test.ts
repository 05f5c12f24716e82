import { describe, expect, it } from '@jest/globals';
import { latencyQuery, PrometheusClient, PrometheusSource, requestRateQuery } from './prometheus.js';

function fakeFetch(status: number, body: unknown, seen: string[] = []): typeof fetch {
  return ((url: string | URL) => {
    seen.push(String(url));
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  }) as typeof fetch;
}

describe('PrometheusClient', () => {
  it('sends the query to /api/v1/query under the base path and reads a one-series vector', async () => {
    const seen: string[] = [];
    const client = new PrometheusClient(
      'http://prom:9090/prometheus',
      fakeFetch(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, '42.5'] }] } }, seen),
    );
    expect(await client.query('sum(up)')).toBe(42.5);
    expect(seen[0]).toBe('http://prom:9090/prometheus/api/v1/query?query=sum%28up%29');
  });
  it('reads scalars; an empty vector or NaN is 0', async () => {
    expect(
      await new PrometheusClient('http://p', fakeFetch(200, { status: 'success', data: { resultType: 'scalar', result: [1, '7'] } })).query(
        '7',
      ),
    ).toBe(7);
    expect(
      await new PrometheusClient('http://p', fakeFetch(200, { status: 'success', data: { resultType: 'vector', result: [] } })).query('x'),
    ).toBe(0);
    expect(
      await new PrometheusClient(
        'http://p',
        fakeFetch(200, { status: 'success', data: { resultType: 'vector', result: [{ value: [1, 'NaN'] }] } }),
      ).query('x'),
    ).toBe(0);
  });
  it('fails with the server message on errors and on ambiguous answers', async () => {
    await expect(new PrometheusClient('http://p', fakeFetch(400, { status: 'error', error: 'parse error' })).query('(')).rejects.toThrow(
      'HTTP 400: parse error',
    );
    await expect(
      new PrometheusClient(
        'http://p',
        fakeFetch(200, { status: 'success', data: { resultType: 'vector', result: [{ value: [1, '1'] }, { value: [1, '2'] }] } }),
      ).query('x'),
    ).rejects.toThrow('2 series');
    await expect(
      new PrometheusClient('http://p', fakeFetch(200, { status: 'success', data: { resultType: 'matrix', result: [] } })).query('x'),
    ).rejects.toThrow('matrix');
  });
});

describe('queries', () => {
  it('select the component of the platform in its namespace', () => {
    expect(requestRateQuery('ns', 'kyc', 'acme')).toBe(
      'sum(rate(kyc_http_requests_total{namespace="ns",component="kyc",platform="acme"}[1m]))',
    );
    expect(latencyQuery('ns', 'gateway', 'acme', 'p99')).toContain(
      'histogram_quantile(0.99, sum by (le) (rate(kyc_http_request_duration_seconds_bucket{namespace="ns",component="gateway",platform="acme"}[1m])))',
    );
  });
});

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
    expect(await new PrometheusSource({ ...place, kind: 'requestRate' }, fakeClient(12.5, seen)).read()).toEqual({
      value: 12.5,
      active: true,
    });
    expect(await new PrometheusSource({ ...place, kind: 'latency', percentile: 'p99' }, fakeClient(0, seen)).read()).toEqual({
      value: 0,
      active: false,
    });
    expect(seen).toEqual([
      'sum(rate(kyc_http_requests_total{namespace="ns",component="kyc",platform="acme"}[1m]))',
      '1000 * histogram_quantile(0.99, sum by (le) (rate(kyc_http_request_duration_seconds_bucket{namespace="ns",component="kyc",platform="acme"}[1m])))',
    ]);
  });

  it('when a name would change the PromQL or the percentile is unknown, then construction fails naming the field', () => {
    expect(() => new PrometheusSource({ ...place, namespace: 'ns"}', kind: 'requestRate' }, fakeClient(1))).toThrow(
      /^prometheus source: namespace: /,
    );
    expect(() => new PrometheusSource({ ...place, kind: 'latency', percentile: 'p42' }, fakeClient(1))).toThrow(
      /^prometheus source: percentile: /,
    );
  });
});
