import { describe, expect, it } from '@jest/globals';
import { parseLabelSelector, parseRequest } from './request.js';

describe('parseRequest', () => {
  it('recognises the discovery documents and health', () => {
    expect(parseRequest('GET', '/apis')).toEqual({ kind: 'apis' });
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io')).toEqual({ kind: 'group' });
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io/v1beta1/')).toEqual({ kind: 'resources' });
    expect(parseRequest('GET', '/healthz')).toEqual({ kind: 'health' });
  });

  it('reads the namespace, metric and selector of a metric request as the HPA controller sends it', () => {
    expect(
      parseRequest(
        'GET',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/team-a/kafka-consumer-lag?labelSelector=kyc.dev%2Fcomponent%3Dkyc%2Ckyc.dev%2Fplatform%3Dacme',
      ),
    ).toEqual({
      kind: 'metric',
      namespace: 'team-a',
      metric: 'kafka-consumer-lag',
      selector: { 'kyc.dev/component': 'kyc', 'kyc.dev/platform': 'acme' },
    });
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/m')).toEqual({
      kind: 'metric',
      namespace: 'ns',
      metric: 'm',
      selector: {},
    });
  });

  it('refuses bad names, other methods and other paths', () => {
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/Bad_NS/m')).toMatchObject({ kind: 'invalid' });
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/..%2Fx')).toMatchObject({ kind: 'invalid' });
    expect(parseRequest('POST', '/apis')).toEqual({ kind: 'unknown' });
    expect(parseRequest('GET', '/api/v1/pods')).toEqual({ kind: 'unknown' });
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/m/extra')).toEqual({ kind: 'unknown' });
    expect(parseRequest('GET', '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/m?labelSelector=a!%3Db')).toMatchObject({
      kind: 'invalid',
    });
  });
});

describe('parseLabelSelector', () => {
  it('accepts =, == and a one-value in', () => {
    expect(parseLabelSelector('a=1, b==2,c in (3)')).toEqual({ a: '1', b: '2', c: '3' });
    expect(parseLabelSelector('')).toEqual({});
  });
  it('refuses set-based requirements it cannot answer and contradictions', () => {
    expect(parseLabelSelector('a notin (1)')).toHaveProperty('error');
    expect(parseLabelSelector('a in (1,2)')).toHaveProperty('error');
    expect(parseLabelSelector('!a')).toHaveProperty('error');
    expect(parseLabelSelector('a=1,a=2')).toHaveProperty('error');
  });
});
