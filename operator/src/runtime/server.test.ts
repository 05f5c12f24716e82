// The operator's probe and metrics servers over real sockets on loopback: probes plain and open, /metrics
// behind TLS 1.3, a bearer token and the right to get /metrics (docs/security.md).
import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry, Counter } from 'prom-client';
import { createCa, createServingCert } from '../api/x509.js';
import type { AccessAttributes, Caller } from './access-review.js';
import { startMetricsServer, startProbeServer, type MetricsServer, type ProbeServer } from './server.js';

const now = new Date();
const ca = createCa(now, 'test-metrics-ca');
const serving = createServingCert(ca, ['localhost'], now);

const registry = new Registry();
new Counter({ name: 'test_scrapes_total', help: 'a metric to find', registers: [registry] }).inc();

const TOKENS: Record<string, Caller> = {
  'prometheus-token': { user: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'] },
  'stranger-token': { user: 'system:serviceaccount:default:stranger', groups: [] },
};
const asked: AccessAttributes[] = [];
let apiDown = false;
const reviewer = {
  authenticate: (token: string): Promise<Caller | undefined> =>
    apiDown ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(TOKENS[token]),
  allowed: (caller: Caller, attributes: AccessAttributes): Promise<boolean> => {
    asked.push(attributes);
    return Promise.resolve(caller.user.endsWith(':prometheus'));
  },
};

let secure: MetricsServer;
let plain: MetricsServer;
let appended: MetricsServer;
let appendix: () => Iterable<string> = () => [];
let probes: ProbeServer;
let ready = false;

beforeAll(async () => {
  secure = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, secure: { certificate: serving, reviewer } });
  plain = await startMetricsServer({ host: '127.0.0.1', port: 0, registry });
  appended = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, appendix: () => appendix() });
  probes = await startProbeServer('127.0.0.1', 0, { healthy: () => true, ready: () => ready });
});
afterAll(async () => {
  await Promise.all([secure.close(), plain.close(), appended.close(), probes.close()]);
});

function scrape(token?: string, path = '/metrics'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: secure.port,
        path,
        servername: 'localhost',
        ca: ca.caCert,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the metrics server, secure', () => {
  it('when a token of a caller allowed to get /metrics comes, then the metrics are served', async () => {
    asked.length = 0;
    const res = await scrape('prometheus-token');
    expect(res.status).toBe(200);
    expect(res.body).toContain('test_scrapes_total 1');
    expect(asked).toEqual([{ nonResourceAttributes: { path: '/metrics', verb: 'get' } }]);
  });

  it('when no token or a token the API server rejects comes, then 401 with a Bearer challenge', async () => {
    for (const token of [undefined, 'forged-token']) {
      const res = await scrape(token);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).not.toContain('test_scrapes_total');
    }
  });

  it('when the caller may not get /metrics, then 403 naming the caller', async () => {
    const res = await scrape('stranger-token');
    expect(res.status).toBe(403);
    expect(res.body).toBe('system:serviceaccount:default:stranger may not get /metrics\n');
  });

  it('when the API server cannot review the token, then 503 with Retry-After, not the metrics', async () => {
    apiDown = true;
    try {
      const res = await scrape('prometheus-token');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      apiDown = false;
    }
  });

  it('when a path other than /metrics is asked for, then 404 (the probes are not on this port)', async () => {
    expect((await scrape('prometheus-token', '/healthz')).status).toBe(404);
  });

  it('when a client offers TLS 1.2 at most, then the handshake fails', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: secure.port, maxVersion: 'TLSv1.2', ca: ca.caCert, servername: 'localhost' });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(outcome).toMatch(/ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|ERR_SSL_UNSUPPORTED_PROTOCOL|ECONNRESET/);
  });

  it('when a client speaks plain HTTP to it, then it gets no metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${secure.port}/metrics`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(res).not.toBe(200);
  });
});

describe('the metrics server, plain (--metrics-secure=false)', () => {
  it('serves /metrics over HTTP without a token', async () => {
    const res = await fetch(`http://127.0.0.1:${plain.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('test_scrapes_total 1');
  });
});

describe('the metrics server with an appendix (metrics computed at scrape time)', () => {
  it("writes the appendix's pieces after the registry's text, in order, as a client reads them", async () => {
    // Eight pieces of 1 MiB: more than a socket takes at once, so the server waits for the client to drain.
    const piece = (i: number): string => `# HELP test_piece_${i} piece\n${'x'.repeat(1 << 20)}\n`;
    appendix = function* () {
      for (let i = 0; i < 8; i++) yield piece(i);
    };
    const res = await fetch(`http://127.0.0.1:${appended.port}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.startsWith(await registry.metrics())).toBe(true);
    expect(body.slice((await registry.metrics()).length)).toBe(Array.from({ length: 8 }, (_, i) => piece(i)).join(''));
  });

  it('when the appendix fails, then 500 and no partial metrics', async () => {
    appendix = () => ({
      [Symbol.iterator]: () => {
        throw new Error('no platforms');
      },
    });
    const res = await fetch(`http://127.0.0.1:${appended.port}/metrics`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('metrics unavailable\n');
  });
});

describe('the probe server', () => {
  it('answers /healthz and /readyz over plain HTTP without a token, and no /metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${probes.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${probes.port}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`http://127.0.0.1:${probes.port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${probes.port}/metrics`)).status).toBe(404);
  });
});
