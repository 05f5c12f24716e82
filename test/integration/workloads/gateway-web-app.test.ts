// The gateway serving the web app's build at / beside the API (docs/frontend.md): in-process gateway
// with a build in a temporary directory, a stand-in kyc upstream, the real Redis. The file-level
// rules are unit-tested in workloads/gateway/web-app.test.ts; this is the wiring: the order against the
// API routes, the service's own headers, the edge in front, and the 404 of what is not the app's.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { IMMUTABLE, WEB_APP_CSP } from '../../../workloads/gateway/web-app.js';
import { rawRequest } from '../../support/raw-http.js';
import { FakeUpstream } from './fake-upstream.js';
import { captureLogs, signToken, suffix, verifierEnv } from './support.js';

const INDEX = '<!doctype html><title>KYC</title><script type="module" src="/assets/index-AbC123.js"></script>';

describe('the gateway serves the web app at / and the API at /api/v1', () => {
  const kyc = new FakeUpstream('kyc');
  let gateway: RunningGateway;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gateway-web-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'export {};');
    await kyc.start();
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      webAppDir: dir,
      env: { ...verifierEnv(), REDIS_KEY_PREFIX: `test-${suffix()}:`, RATE_LIMIT_REQUESTS: '100000', UPSTREAM_KYC: kyc.url },
    });
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await kyc.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const get = (target: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${target}`, { headers });

  it('answers / with the page: never stored, the strict policy, and the service’s own headers', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toBe(WEB_APP_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-kyc-version')).toBeTruthy();
  });

  it('answers a hashed file as immutable for a year', async () => {
    const script = await get('/assets/index-AbC123.js');
    expect([script.status, script.headers.get('cache-control'), script.headers.get('content-type')]).toEqual([
      200,
      IMMUTABLE,
      'text/javascript; charset=utf-8',
    ]);
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

  it('refuses a dot-segment target at the edge before the app is looked at', async () => {
    const answer = await rawRequest(gateway.port, 'GET /assets/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close');
    expect(answer.status).toBe(400);
    expect(answer.body).not.toContain('root:');
  });
});
