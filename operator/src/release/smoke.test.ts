import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import { issueCa, issueLeaf } from '../api/x509.js';
import type { AddressInfo } from 'node:net';
import { httpSmokeChecker, SmokeRunner, type SmokeRequest } from './smoke.js';
import type { SmokeResult } from './model.js';

// A local server playing every preview Service: the path says which Service was asked.
let server: http.Server;
let port = 0;
const answers = new Map<string, { status: number; version?: string; hang?: boolean }>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const answer = answers.get(req.url ?? '') ?? { status: 404 };
    if (answer.hang) return;
    res.writeHead(answer.status, answer.version ? { 'x-kyc-version': answer.version } : {});
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request: SmokeRequest = {
  namespace: 'ns',
  platform: 'acme',
  components: ['gateway', 'kyc'],
  version: '2.0.0',
  path: '/health',
  gatewayPath: '/api/v1/auth/me',
  timeoutMs: 10_000,
};
// Every Service on the one server: the Service's name becomes a path prefix.
const check = httpSmokeChecker((_namespace, service) => `http://127.0.0.1:${port}/${service}`);

describe('httpSmokeChecker', () => {
  it('when every preview answers 2xx at the preview version and the gateway read is below 500, then the round passes', async () => {
    answers.set('/acme-gateway-preview/health', { status: 200, version: '2.0.0' });
    answers.set('/acme-kyc-preview/health', { status: 200 });
    answers.set('/acme-gateway-preview/api/v1/auth/me', { status: 401, version: '2.0.0' });
    const result = await check(request);
    expect(result).toMatchObject({ ok: true, version: '2.0.0' });
    expect(result.message).toContain('3 checks passed');
  });

  it('opens a new connection for every request (a kept connection would stay on the pod it reached first)', async () => {
    answers.set('/acme-gateway-preview/health', { status: 200, version: '2.0.0' });
    answers.set('/acme-kyc-preview/health', { status: 200 });
    answers.set('/acme-gateway-preview/api/v1/auth/me', { status: 401, version: '2.0.0' });
    let connections = 0;
    const count = (): void => {
      connections++;
    };
    server.on('connection', count);
    await check(request);
    await check(request);
    server.off('connection', count);
    expect(connections).toBe(6);
  });

  it('when a preview answers 503, another version, or not at all, then the round fails and says which', async () => {
    answers.set('/acme-kyc-preview/health', { status: 503 });
    answers.set('/acme-gateway-preview/health', { status: 200, version: '1.0.0' });
    answers.set('/acme-gateway-preview/api/v1/auth/me', { status: 0, hang: true });
    // A short timeout for the one that hangs (the others answer at once).
    const result = await check({ ...request, timeoutMs: 2_000 });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('kyc /health: HTTP 503');
    expect(result.message).toContain('gateway /health: version 1.0.0, not 2.0.0');
    expect(result.message).toContain('gateway /api/v1/auth/me: timeout');
  });
});

describe('httpSmokeChecker while the preview Services are not routed yet', () => {
  /** A port nothing listens on yet: connections to it are refused, as to a ClusterIP kube-proxy has no endpoint for. */
  async function freePort(): Promise<number> {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const free = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    return free;
  }

  /** A preview that starts answering `afterMs` from now, every request with `answer`. */
  async function lateServer(
    afterMs: number,
    answer: () => { status: number; version: string },
  ): Promise<{ port: number; close: () => Promise<void> }> {
    const late = http.createServer((_req, res) => {
      const { status, version } = answer();
      res.writeHead(status, { 'x-kyc-version': version });
      res.end('{}');
    });
    const latePort = await freePort();
    const listening = new Promise<void>((resolve) => setTimeout(() => late.listen(latePort, '127.0.0.1', resolve), afterMs));
    return {
      port: latePort,
      close: async () => {
        await listening;
        late.closeAllConnections();
        await new Promise((resolve) => late.close(resolve));
      },
    };
  }

  const kycOnly: SmokeRequest = { ...request, components: ['kyc'] };
  const on = (latePort: number) => httpSmokeChecker(() => `http://127.0.0.1:${latePort}`, { routingSettleMs: 2_000 });

  it('when a preview Service refuses connections for a moment, then the round waits for it within the settle time and passes', async () => {
    const preview = await lateServer(400, () => ({ status: 200, version: '2.0.0' }));
    const started = performance.now();
    try {
      const result = await on(preview.port)(kycOnly);
      expect(result).toMatchObject({ ok: true });
      expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    } finally {
      await preview.close();
    }
  });

  it('when a preview Service still refuses after the settle time, then the round fails with the reason', async () => {
    const nobody = await freePort();
    const started = performance.now();
    const result = await httpSmokeChecker(() => `http://127.0.0.1:${nobody}`, { routingSettleMs: 300 })(kycOnly);
    expect(result).toMatchObject({ ok: false, message: 'kyc /health: ECONNREFUSED' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('when the first answers come from the version before, then the check is tried again until the preview version answers', async () => {
    let asked = 0;
    const preview = await lateServer(0, () => ({ status: 200, version: ++asked <= 2 ? '1.0.0' : '2.0.0' }));
    try {
      expect(await on(preview.port)(kycOnly)).toMatchObject({ ok: true });
      expect(asked).toBe(3);
    } finally {
      await preview.close();
    }
  });

  it('when a preview pod answers with an error, then that is the verdict at once, not tried again', async () => {
    let asked = 0;
    const preview = await lateServer(0, () => (asked++, { status: 503, version: '2.0.0' }));
    const started = performance.now();
    try {
      expect(await on(preview.port)(kycOnly)).toMatchObject({ ok: false, message: 'kyc /health: HTTP 503' });
      expect(asked).toBe(1);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await preview.close();
    }
  });
});

describe('SmokeRunner', () => {
  it('runs one round per version in the background and hands its result out once', async () => {
    let release: (result: SmokeResult) => void = () => undefined;
    let calls = 0;
    const runner = new SmokeRunner(() => {
      calls++;
      return new Promise((resolve) => (release = resolve));
    });
    let woken = 0;
    runner.start('ns/acme', request, () => woken++);
    runner.start('ns/acme', request, () => woken++);
    expect(calls).toBe(1);
    expect(runner.take('ns/acme', '2.0.0')).toBeUndefined();
    release({ ok: true, version: '2.0.0', message: 'fine' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(woken).toBe(1);
    expect(runner.take('ns/acme', '1.0.0')).toBeUndefined();
    expect(runner.take('ns/acme', '2.0.0')).toMatchObject({ ok: true });
    expect(runner.take('ns/acme', '2.0.0')).toBeUndefined();
  });

  it('waits before a delayed round, and a round for the same version is not started twice meanwhile', async () => {
    let calls = 0;
    const runner = new SmokeRunner(() => {
      calls++;
      return Promise.resolve({ ok: true, version: '2.0.0', message: 'fine' });
    });
    runner.start('k', request, undefined, 50);
    runner.start('k', request);
    expect(calls).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
    expect(runner.take('k', '2.0.0')).toMatchObject({ ok: true });
  });

  it('turns a checker that throws into a failed round', async () => {
    const runner = new SmokeRunner(() => Promise.reject(new Error('boom')));
    runner.start('k', request);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runner.take('k', '2.0.0')).toMatchObject({ ok: false, message: 'smoke check failed to run: boom' });
  });
});

describe('httpSmokeChecker under tls BuiltIn', () => {
  it('asks the preview Services over HTTPS, trusting the platform bundle and checking each Service’s own name', async () => {
    const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) };
    const ca = issueCa('acme CA', validity);
    const kyc = issueLeaf(ca, { commonName: 'acme-kyc', subjectAltNames: ['acme-kyc-preview.ns.svc'], usages: ['server'], ...validity });
    const tlsServer = https.createServer({ cert: kyc.cert, key: kyc.key, minVersion: 'TLSv1.3' }, (_req, res) => {
      res.writeHead(200, { 'x-kyc-version': '2.0.0' }).end('{}');
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    const tlsPort = (tlsServer.address() as AddressInfo).port;
    const urls: string[] = [];
    const serviceUrl = (_namespace: string, _service: string, secure: boolean): string => {
      urls.push(`${secure ? 'https' : 'http'} ${_service}`);
      return `${secure ? 'https' : 'http'}://127.0.0.1:${tlsPort}`;
    };
    const kycOnly = { ...request, components: ['kyc' as const], path: '/ready', tls: true };
    try {
      const trusted = await httpSmokeChecker(serviceUrl, { trust: () => Promise.resolve(ca.cert) })(kycOnly);
      expect(trusted).toMatchObject({ ok: true });
      expect(urls).toEqual(['https acme-kyc-preview']);
      const stranger = issueCa('someone else', validity);
      const untrusted = await httpSmokeChecker(serviceUrl, { trust: () => Promise.resolve(stranger.cert) })(kycOnly);
      expect(untrusted).toMatchObject({ ok: false });
      expect(untrusted.message).toMatch(/kyc \/ready: /);
    } finally {
      tlsServer.close();
    }
  });
});
