// The web app in a real browser (Debian's chromium, playwright-core) against the gateway, auth and kyc
// in-process on real PostgreSQL, Redis and Kafka, the gateway serving a fresh build of frontend/: a
// customer registers, applies with documents and submits on a 360 px screen; a maker recommends and a
// different checker approves in the review screens; the customer sees the approval. The same steps run
// against `make up`'s platform in test/e2e/frontend.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { Accessibility, Screenshots, customerToApproval, launchBrowser } from '../../support/web-app-journey.js';
import { startAuthAndGateway } from './in-process-platform.js';
import type { InProcessPlatform } from './in-process-platform.js';
import { startKycHarness } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { request, suffix } from './support.js';

const run = suffix();
const ADMIN = { email: `admin-${run}@bank.example`, password: 'web-admin-password-1' };
const CUSTOMER = { email: `asha-${run}@example.com`, password: 'web-customer-password-1' };
const MAKER = { email: `maker-${run}@bank.example`, password: 'web-maker-password-1' };
const CHECKER = { email: `checker-${run}@bank.example`, password: 'web-checker-password-1' };

describe('the web app in a browser, on the services in-process', () => {
  let h: KycHarness;
  let platform: InProcessPlatform;
  let gateway: RunningGateway;
  let browser: Browser;
  let webDir: string;
  const accessibility = new Accessibility();
  const shots = new Screenshots(process.env.WEB_APP_SCREENSHOTS, accessibility);

  beforeAll(async () => {
    webDir = mkdtempSync(path.join(tmpdir(), 'web-app-'));
    // NODE_ENV=production: jest runs with NODE_ENV=test, which would give React's development build.
    execFileSync('node_modules/.bin/vite', ['build', '--config', 'frontend/vite.config.ts', '--outDir', webDir, '--logLevel', 'warn'], {
      env: { ...process.env, NODE_ENV: 'production' },
    });
    h = await startKycHarness();
    platform = await startAuthAndGateway(h, { admin: ADMIN, webAppDir: webDir });
    gateway = platform.gateway;
    const admin = await request<{ accessToken: string }>(`${gateway.url}/api/v1/auth/login`, { body: ADMIN });
    for (const [who, role] of [
      [MAKER, 'maker'],
      [CHECKER, 'checker'],
    ] as const) {
      const made = await request(`${gateway.url}/api/v1/admin/users`, {
        body: { ...who, role, staffId: `${role}-${run}` },
        token: admin.body.accessToken,
      });
      expect(made.status).toBe(201);
    }
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    await h?.close();
    rmSync(webDir, { recursive: true, force: true });
  }, 60_000);

  it('a customer applies and submits, a maker recommends, a checker approves, the customer sees the approval', async () => {
    const { panError, reKycLine } = await customerToApproval(
      browser,
      gateway.url,
      { customer: CUSTOMER, maker: MAKER, checker: CHECKER },
      shots,
      { reviewMs: 60_000, approvalMs: 30_000 },
    );
    expect(panError).toMatch(/^PAN must be/);
    expect(reKycLine).toMatch(/Your KYC is valid until \d{4}-\d{2}-\d{2}/);
    // axe-core on every screen above: no serious or critical violation.
    expect(accessibility.violations).toEqual([]);
  }, 110_000);
});
