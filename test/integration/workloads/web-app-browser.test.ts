// The web app in a real browser (Debian's chromium, playwright-core) against the gateway, auth and kyc
// in-process on real PostgreSQL, Redis and Kafka, the gateway serving a fresh build of frontend/: a
// customer registers, applies with documents and submits on a 360 px screen; a maker recommends and a
// different checker approves in the review screens; the customer sees the approval. The same steps run
// against `make up`'s platform in test/e2e/frontend.test.ts. Then the admin's pages (analytics in-process
// too, counting the journey's events): staff accounts, charts, platform status, keyboard only where it
// matters, and the admin API attacked with a reviewer's token.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { adminPages, adminInReadOnly } from '../../support/web-app-admin.js';
import { Accessibility, Screenshots, customerToApproval, launchBrowser } from '../../support/web-app-journey.js';
import { startAuthAndGateway } from './in-process-platform.js';
import type { InProcessPlatform } from './in-process-platform.js';
import { startKycHarness } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { captureLogs, eventServiceEnv, eventually, liveSettingsFile, request, suffix } from './support.js';
import type { LiveSettingsFile } from './support.js';

const run = suffix();
const ADMIN = { email: `admin-${run}@bank.example`, password: 'web-admin-password-1' };
const CUSTOMER = { email: `asha-${run}@example.com`, password: 'web-customer-password-1' };
const MAKER = { email: `maker-${run}@bank.example`, password: 'web-maker-password-1' };
const CHECKER = { email: `checker-${run}@bank.example`, password: 'web-checker-password-1' };

describe('the web app in a browser, on the services in-process', () => {
  let h: KycHarness;
  let platform: InProcessPlatform;
  let gateway: RunningGateway;
  let analytics: RunningAnalytics;
  let browser: Browser;
  let webDir: string;
  let adminToken: string;
  /** The operator's live settings (the mode), read by auth and the gateway. */
  let live: LiveSettingsFile;
  const accessibility = new Accessibility();
  const shots = new Screenshots(process.env.WEB_APP_SCREENSHOTS, accessibility);

  beforeAll(async () => {
    webDir = mkdtempSync(path.join(tmpdir(), 'web-app-'));
    // NODE_ENV=production: jest runs with NODE_ENV=test, which would give React's development build.
    execFileSync('node_modules/.bin/vite', ['build', '--config', 'frontend/vite.config.ts', '--outDir', webDir, '--logLevel', 'warn'], {
      env: { ...process.env, NODE_ENV: 'production' },
    });
    h = await startKycHarness();
    // Analytics counts the kyc service's events of this run (its topics, the same database).
    analytics = await startAnalytics({
      port: 0,
      host: '127.0.0.1',
      logger: captureLogs('analytics', 'error').logger,
      env: eventServiceEnv(h.db, h.topicPrefix),
    });
    live = await liveSettingsFile('web-app-mode-');
    await live.write({ featureFlags: {} });
    platform = await startAuthAndGateway(h, {
      admin: ADMIN,
      webAppDir: webDir,
      env: { UPSTREAM_ANALYTICS: analytics.url, LIVE_SETTINGS_FILE: live.path },
    });
    gateway = platform.gateway;
    const admin = await request<{ accessToken: string }>(`${gateway.url}/api/v1/auth/login`, { body: ADMIN });
    adminToken = admin.body.accessToken;
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
    await analytics?.close();
    await h?.close();
    await live?.remove();
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

  it('the admin creates a staff account, disables it and makes it a checker, reads the charts and the platform status; axe finds nothing serious', async () => {
    // The journey's approval reaches the analytics counts first (through Kafka).
    await eventually(async () => {
      const summary = await request<{ totals: Record<string, number> }>(`${gateway.url}/api/v1/analytics/summary?days=7`, {
        token: adminToken,
      });
      return (summary.body.totals['kyc.application.approved'] ?? 0) > 0 ? true : undefined;
    }, 30_000);
    const before = accessibility.violations.length;
    const result = await adminPages(
      browser,
      gateway.url,
      ADMIN,
      { email: `maker2-${run}@bank.example`, password: 'web-maker2-password-1', staffId: `maker2-${run}` },
      shots,
    );
    expect(result.disabledNotice).toBe(`maker2-${run}@bank.example is disabled: their sign-ins have ended.`);
    expect(result.duplicateError).toBe('An account with this email address already exists.');
    expect(result.roleChangedNotice).toBe(`maker2-${run}@bank.example is now checker: their sign-ins have ended.`);
    expect(result.approvalRate).toMatch(/^100% approved \(1 of 1 decisions\)\.$/);
    expect(result.turnaround).toMatch(/^On average \d+(\.\d)? minutes from submission to decision \(1 decision\)\.$/);
    expect(result.mode).toBe('Normal');
    expect(accessibility.violations.slice(before)).toEqual([]);
  }, 90_000);

  it('refuses the admin API and the analytics to a reviewer’s token, through the gateway', async () => {
    const maker = await request<{ accessToken: string; user: { id: string } }>(`${gateway.url}/api/v1/auth/login`, { body: MAKER });
    const token = maker.body.accessToken;
    const answers = await Promise.all([
      request(`${gateway.url}/api/v1/admin/users`, { token }),
      request(`${gateway.url}/api/v1/admin/users`, {
        token,
        body: { email: `x-${run}@bank.example`, password: 'x-password-12345', role: 'admin' },
      }),
      request(`${gateway.url}/api/v1/admin/users/${maker.body.user.id}/enable`, { token, body: {} }),
      request(`${gateway.url}/api/v1/admin/users/${maker.body.user.id}/role`, { token, body: { role: 'admin' } }),
      request(`${gateway.url}/api/v1/analytics/summary`, { token }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403, 403]);
    expect(answers.map((a) => a.headers.get('content-type'))).toEqual(Array(5).fill(expect.stringMatching(/^application\/problem\+json/)));
  });

  it('in the ReadOnly mode, the banner shows on the admin’s pages and a refused change says why in words; axe finds nothing serious', async () => {
    await live.write({ mode: 'ReadOnly', featureFlags: {} });
    try {
      await eventually(
        async () => ((await request<{ mode: string }>(`${gateway.url}/api/v1/status`)).body.mode === 'ReadOnly' ? true : undefined),
        10_000,
      );
      const before = accessibility.violations.length;
      const result = await adminInReadOnly(browser, gateway.url, ADMIN, shots);
      expect(result.banner).toMatch(/^The service is read-only for now/);
      expect(result.refusal).toBe(result.banner);
      expect(result.mode).toBe('ReadOnly');
      expect(accessibility.violations.slice(before)).toEqual([]);
    } finally {
      await live.write({ featureFlags: {} });
    }
  }, 60_000);
});
