// The frontend as a service: started with no dependency setting at all (it has none: no database, cache,
// bus, KMS or token keys), the shared lifecycle's endpoints, and the start-up refused without a build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../shared/index.js';
import { startFrontend } from './main.js';
import type { RunningFrontend } from './main.js';
import { WEB_APP_CSP } from './web-app.js';

const INDEX = '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>';
const logger = createLogger({ component: 'frontend', level: 'silent' });

describe('the frontend service', () => {
  let dir: string;
  let frontend: RunningFrontend;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'frontend-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'export {};');
    // The environment is empty: nothing but the build is needed.
    frontend = await startFrontend({ env: {}, port: 0, host: '127.0.0.1', logger, webAppDir: dir });
  });

  afterAll(async () => {
    await frontend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when started without any dependency setting, then it is ready and serves the page with its policy', async () => {
    expect((await fetch(`${frontend.url}/ready`)).status).toBe(200);
    const page = await fetch(`${frontend.url}/`);
    expect([page.status, await page.text()]).toEqual([200, INDEX]);
    expect([page.headers.get('content-security-policy'), page.headers.get('cache-control')]).toEqual([WEB_APP_CSP, 'no-store']);
    expect(frontend.files).toBe(2);
  });

  it('reports healthy with no dependency, and its metrics, on the metrics port only', async () => {
    const health = await fetch(`${frontend.metricsUrl}/health`);
    expect(health.status).toBe(200);
    // The fixed shape of /health (docs/workload-contract.md): with nothing to ping, every check is OK.
    expect(await health.json()).toMatchObject({ message: 'OK', checks: { database: 'OK', cache: 'OK', externalAPIs: 'OK' } });
    const metrics = await (await fetch(`${frontend.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('kyc_frontend_refused_requests_total');
    expect((await fetch(`${frontend.url}/metrics`)).status).toBe(404);
  });

  it('answers what is not the app’s with a 404 problem', async () => {
    const missing = await fetch(`${frontend.url}/assets/index-Old999.js`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, expect.stringMatching(/problem\+json/)]);
    expect((await fetch(`${frontend.url}/`, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});

describe('the frontend without a build', () => {
  it('refuses to start, saying where it looked', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'frontend-empty-'));
    try {
      await expect(startFrontend({ env: {}, port: 0, logger, webAppDir: empty })).rejects.toThrow(`no web app build in ${empty}`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
