// The web app at / beside the API at /api/v1 (docs/frontend.md, "How it runs"): the frontend component
// in-process serving a build in a temporary directory, the gateway forwarding the app's paths to it, a
// stand-in kyc upstream, the real Redis. The file-level rules are unit-tested in
// workloads/frontend/web-app.test.ts; this is the wiring: the frontend's caching and policy passed through
// the gateway, the order against the API routes, the service's own headers, the edge in front, what the
// frontend is sent, and a platform whose frontend is disabled.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFrontend } from '../../../workloads/frontend/main.js';
import type { RunningFrontend } from '../../../workloads/frontend/main.js';
import { IMMUTABLE, WEB_APP_CSP } from '../../../workloads/frontend/web-app.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { rawRequest } from '../../support/raw-http.js';
import { FakeUpstream } from './fake-upstream.js';
import { captureLogs, signToken, suffix, verifierEnv } from './support.js';

const INDEX = '<!doctype html><title>KYC</title><script type="module" src="/assets/index-AbC123.js"></script>';
/** Large enough to be kept gzipped (web-app.ts compresses text files over 1 KiB). */
const SCRIPT = `export const text = ${JSON.stringify('kyc '.repeat(2000))};`;

const gatewayEnv = (upstreams: Record<string, string>) => ({
  ...verifierEnv(),
  REDIS_KEY_PREFIX: `test-${suffix()}:`,
  RATE_LIMIT_REQUESTS: '100000',
  ...upstreams,
});

function bytesOf(
  port: number,
  target: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: target, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('the gateway forwards the web app to the frontend and the API to /api/v1', () => {
  const kyc = new FakeUpstream('kyc');
  let frontend: RunningFrontend;
  let gateway: RunningGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gateway-web-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
    await kyc.start();
    frontend = await startFrontend({ port: 0, host: '127.0.0.1', logger: captureLogs('frontend', 'warn').logger, webAppDir: dir });
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      env: gatewayEnv({ UPSTREAM_KYC: kyc.url, UPSTREAM_FRONTEND: frontend.url }),
    });
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await frontend?.close();
    await kyc.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const get = (target: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${target}`, { headers });

  it('answers / with the page: never stored, the strict policy, and the gateway’s own headers', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-kyc-version')).toBeTruthy();
  });

  it('answers a hashed file as immutable for a year, gzipped as the frontend sent it, and revalidates it with 304', async () => {
    // node:http, which leaves the body as it came (fetch() would unpack it).
    const script = await bytesOf(gateway.port, '/assets/index-AbC123.js', { 'accept-encoding': 'gzip' });
    expect([script.status, script.headers['cache-control'], script.headers['content-type'], script.headers['content-encoding']]).toEqual([
      200,
      IMMUTABLE,
      'text/javascript; charset=utf-8',
      'gzip',
    ]);
    expect(gunzipSync(script.body).toString('utf8')).toBe(SCRIPT);
    const etag = script.headers.etag;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/assets/index-AbC123.js', { 'if-none-match': String(etag) });
    expect([again.status, await again.text()]).toEqual([304, '']);
  });

  it('gives a browser’s navigation to an app path the page, and a missing file or API path the 404', async () => {
    // Over a socket: fetch() sends its own Sec-Fetch-Mode (cors), as a page's script would.
    const navigation = await rawRequest(gateway.port, 'GET /status HTTP/1.1\r\nHost: x\r\nSec-Fetch-Mode: navigate\r\nConnection: close');
    expect([navigation.status, navigation.body]).toEqual([200, INDEX]);
    expect((await get('/status', { accept: 'text/html' })).status).toBe(404);
    const missing = await get('/assets/index-Old999.js', { 'sec-fetch-mode': 'navigate' });
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, expect.stringMatching(/problem\+json/)]);
    const api = await get('/api/v1/nothing-here', { accept: 'text/html', 'sec-fetch-mode': 'navigate' });
    expect([api.status, api.headers.get('content-type')]).toEqual([404, expect.stringMatching(/problem\+json/)]);
  });

  it('still forwards the API: a request under /api/v1 reaches the upstream, never the page', async () => {
    const before = kyc.hits;
    const token = await signToken({ sub: 'c-1', role: 'customer' });
    const answer = await get('/api/v1/applications/a-1', { authorization: `Bearer ${token}`, accept: 'text/html' });
    expect(kyc.hits).toBe(before + 1);
    expect(await answer.text()).not.toBe(INDEX);
  });

  it('forwards only reads: a POST to an app path is the gateway’s 404', async () => {
    const post = await fetch(`${gateway.url}/`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('content-type')]).toEqual([404, expect.stringMatching(/problem\+json/)]);
  });

  it('refuses a dot-segment target at the edge before the app is looked at', async () => {
    const answer = await rawRequest(gateway.port, 'GET /assets/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close');
    expect(answer.status).toBe(400);
    expect(answer.body).not.toContain('root:');
  });
});

describe('what the frontend is sent, and when it cannot answer', () => {
  let seen: IncomingHttpHeaders[] = [];
  let server: http.Server;
  let gateway: RunningGateway;

  beforeAll(async () => {
    // A stand-in frontend that records the headers it gets.
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(INDEX);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'error').logger,
      env: gatewayEnv({ UPSTREAM_FRONTEND: `http://127.0.0.1:${port}`, BREAKER_VOLUME_THRESHOLD: '1000' }),
    });
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }, 30_000);

  it('sends no token and no cookie: the files are public, the client’s identity stays at the gateway', async () => {
    seen = [];
    const token = await signToken({ sub: 'c-1', role: 'customer' });
    const page = await fetch(`${gateway.url}/`, {
      headers: { authorization: `Bearer ${token}`, cookie: 'session=s3cr3t', accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBeUndefined();
    expect(seen[0]?.cookie).toBeUndefined();
    expect(seen[0]?.accept).toBe('text/html');
    expect(seen[0]?.['x-request-id']).toBeTruthy();
  });

  it('when the frontend is gone, answers 503 with Retry-After, as for any upstream', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const page = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([503, expect.stringMatching(/problem\+json/)]);
    expect(page.headers.get('retry-after')).toBeTruthy();
  });
});

describe('a platform whose frontend is disabled', () => {
  const kyc = new FakeUpstream('kyc');
  let gateway: RunningGateway;

  beforeAll(async () => {
    await kyc.start();
    gateway = await startGateway({ port: 0, logger: captureLogs('gateway', 'error').logger, env: gatewayEnv({ UPSTREAM_KYC: kyc.url }) });
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await kyc.stop();
  }, 30_000);

  it('answers / with a 404 problem saying the web app is not enabled, and serves the API as before', async () => {
    const page = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([404, expect.stringMatching(/problem\+json/)]);
    expect(((await page.json()) as { detail: string }).detail).toMatch(/web app is not enabled/);
    const token = await signToken({ sub: 'c-1', role: 'customer' });
    const api = await fetch(`${gateway.url}/api/v1/applications/a-1`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
  });
});
