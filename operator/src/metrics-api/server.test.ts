// The external metrics API over real HTTPS on loopback: who gets in (the aggregator's client
// certificate), what it answers, and the Status documents of every refusal.
import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../runtime/logger.js';
import { MetricUnavailableError } from '../api/metrics.js';
import { createCa, createServingCert } from '../api/x509.js';
import { startMetricsApiServer, type MetricsApiServer } from './server.js';

const now = new Date();
const serverCa = createCa(now, 'test-serving-ca');
const proxyCa = createCa(now, 'test-front-proxy-ca');
const serving = createServingCert(serverCa, ['localhost'], now);
const proxyClient = createServingCert(proxyCa, ['front-proxy-client'], now, 1, 'client');
const strangerClient = createServingCert(proxyCa, ['someone-else'], now, 1, 'client');
const otherCa = createCa(now, 'other-ca');
const untrustedClient = createServingCert(otherCa, ['front-proxy-client'], now, 1, 'client');

let server: MetricsApiServer;
const allowedUsers = new Set(['system:serviceaccount:kube-system:horizontal-pod-autoscaler']);

beforeAll(async () => {
  server = await startMetricsApiServer({
    host: '127.0.0.1',
    port: 0,
    cert: serving,
    auth: {
      clientCa: proxyCa.caCert,
      allowedNames: ['front-proxy-client'],
      usernameHeaders: ['X-Remote-User'],
      groupHeaders: ['X-Remote-Group'],
    },
    authorizer: { allowed: (caller) => Promise.resolve(allowedUsers.has(caller.user)) },
    values: {
      value: (namespace, metric, selector) => {
        if (metric !== 'kafka-consumer-lag' || selector['kyc.dev/component'] !== 'kyc')
          throw new MetricUnavailableError(`no metric ${metric}`);
        return { value: namespace === 'frac' ? 2.5 : 4200, timestamp: new Date('2026-11-26T12:00:00Z') };
      },
    },
    logger: createLogger('error'),
  });
});

afterAll(() => server.close());

function get(
  path: string,
  client?: { cert: string; key: string },
  user = 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        ca: serverCa.caCert,
        servername: 'localhost',
        headers: { 'X-Remote-User': user, 'X-Remote-Group': 'system:authenticated' },
        ...(client ?? {}),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const metricPath = (ns = 'team-a', component = 'kyc'): string =>
  `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/kafka-consumer-lag?labelSelector=${encodeURIComponent(`kyc.dev/platform=acme,kyc.dev/component=${component}`)}`;

describe('external metrics API server', () => {
  it('answers the aggregator with the metric value list', async () => {
    const { status, body } = await get(metricPath(), proxyClient);
    expect(status).toBe(200);
    expect(body).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metricName: 'kafka-consumer-lag',
          metricLabels: { 'kyc.dev/platform': 'acme', 'kyc.dev/component': 'kyc' },
          timestamp: '2026-11-26T12:00:00Z',
          value: '4200',
        },
      ],
    });
    expect(((await get(metricPath('frac'), proxyClient)).body.items as { value: string }[])[0]?.value).toBe('2500m');
  });

  it('serves discovery to the aggregator', async () => {
    expect((await get('/apis/external.metrics.k8s.io/v1beta1', proxyClient)).body).toMatchObject({
      kind: 'APIResourceList',
      groupVersion: 'external.metrics.k8s.io/v1beta1',
    });
    expect((await get('/apis', proxyClient)).body).toMatchObject({ kind: 'APIGroupList' });
    expect((await get('/apis/external.metrics.k8s.io', proxyClient)).body).toMatchObject({
      kind: 'APIGroup',
      name: 'external.metrics.k8s.io',
    });
  });

  it('refuses callers that are not the aggregator with 401', async () => {
    expect((await get(metricPath())).status).toBe(401);
    expect((await get(metricPath(), untrustedClient)).status).toBe(401);
    const stranger = await get(metricPath(), strangerClient);
    expect(stranger.status).toBe(401);
    expect(stranger.body).toMatchObject({
      kind: 'Status',
      code: 401,
      message: 'client certificate "someone-else" is not an allowed requestheader name',
    });
  });

  it('refuses users the cluster does not authorise with 403, unknown metrics with 404, bad requests with 400', async () => {
    expect((await get(metricPath(), proxyClient, 'system:anonymous')).status).toBe(403);
    expect((await get(metricPath('team-a', 'auth'), proxyClient)).body).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'no metric kafka-consumer-lag',
    });
    expect((await get('/apis/external.metrics.k8s.io/v1beta1/namespaces/x/m?labelSelector=a%20notin%20(b)', proxyClient)).status).toBe(400);
    expect((await get('/apis/other', proxyClient)).status).toBe(404);
  });

  it('answers health checks without a client certificate', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { text: 'ok' } });
  });

  it('speaks TLS 1.3 only: a client that offers at most TLS 1.2 fails the handshake', async () => {
    const handshake = (maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: serverCa.caCert, maxVersion }, () => {
          resolve(socket.getProtocol() ?? '');
          socket.end();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    expect(await handshake('TLSv1.3')).toBe('TLSv1.3');
    expect(await handshake('TLSv1.2')).toMatch(/^ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL)$/);
  });
});
