// The web app on `make up`'s platform, in a real browser (Debian's chromium under playwright-core, on a
// 360 px screen), through the gateway's NodePort (HTTPS when the platform serves TLS): the page and its
// caching headers; a customer applies with documents and submits, a maker recommends and a different
// checker approves in the review screens, the customer sees the approval — all through the UI; a wrong PAN shows the field's error; a
// forced ReadOnly mode shows the banner. Screenshots of each screen go to .test-results/screenshots/
// (E2E_SCREENSHOTS to change it); docs/frontend.md shows some of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { Accessibility, Screenshots, customerToApproval, launchBrowser, openApp } from '../support/web-app-journey.js';
import {
  adminAccount,
  browserTrustArgs,
  eventually,
  gatewayUrl,
  getPlatform,
  login,
  patchPlatformSpec,
  request,
  uniqueSuffix,
  waitReady,
} from './support.js';
import type { Account } from './support.js';

describe('the web app on the running platform', () => {
  let base = '';
  let browser: Browser;
  const api = (path: string): string => `${base}/api/v1${path}`;
  const run = uniqueSuffix();
  const customer: Account = { email: `e2e-web-${run}@example.com`, password: `web-customer-password-${run}` };
  const maker: Account = { email: `e2e-web-maker-${run}@bank.example`, password: `web-maker-password-${run}` };
  const checker: Account = { email: `e2e-web-checker-${run}@bank.example`, password: `web-checker-password-${run}` };
  const accessibility = new Accessibility();
  const shots = new Screenshots(process.env.E2E_SCREENSHOTS ?? '.test-results/screenshots', accessibility);
  const mode = async () => (await request<{ mode: string }>(api('/status'))).body.mode;

  beforeAll(async () => {
    await waitReady((await getPlatform()).spec.version);
    base = await gatewayUrl();
    const admin = await login(api, await adminAccount());
    for (const [who, role] of [
      [maker, 'maker'],
      [checker, 'checker'],
    ] as const) {
      const made = await request(api('/admin/users'), {
        body: { ...who, role, staffId: `e2e-web-${role}-${run}` },
        token: admin.accessToken,
        idempotent: true,
      });
      expect(made.status).toBe(201);
    }
    // Over HTTPS the browser trusts the platform's certificate by its key (support.ts, browserTrustArgs),
    // never by ignoring certificate errors.
    browser = await launchBrowser(await browserTrustArgs(base));
  }, 720_000);

  afterAll(async () => {
    await patchPlatformSpec({ degradation: { mode: 'Normal' } }).catch(() => undefined);
    await browser?.close();
  });

  it('serves the page never stored, under a CSP without inline script, and its hashed files immutable', async () => {
    // From a component of its own, behind the gateway (docs/frontend.md, "How it runs").
    expect((await getPlatform()).status?.components?.frontend?.available).toBeGreaterThanOrEqual(1);
    const page = await request<string>(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await request(`${base}${script}`);
    expect([asset.status, asset.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
  });

  it('a customer applies with documents and submits, a maker recommends, a checker approves, and the customer sees the approval — all in the browser', async () => {
    const { panError, reKycLine } = await customerToApproval(browser, base, { customer, maker, checker }, shots, {
      reviewMs: 180_000,
      approvalMs: 60_000,
    });
    // The wrong PAN typed first was refused at the field, in words.
    expect(panError).toMatch(/^PAN must be/);
    expect(reKycLine).toMatch(/Your KYC is valid until \d{4}-\d{2}-\d{2}/);
    // axe-core on every screen above: no serious or critical violation.
    expect(accessibility.violations).toEqual([]);
  }, 600_000);

  it('when the platform is forced ReadOnly, then the page shows the banner; Normal again removes it', async () => {
    await patchPlatformSpec({ degradation: { mode: 'ReadOnly' } });
    await eventually('GET /api/v1/status saying ReadOnly', async () => ((await mode()) === 'ReadOnly' ? true : undefined), 60_000, 500);
    const page = await openApp(browser, base);
    const banner = page.locator('.banner[data-mode="ReadOnly"]');
    // Each gateway pod takes the mode from its own copy of the live settings, about a second apart: the
    // page (reloaded) must show what the pod answering it says, on whichever pod that is.
    const bannerShown = async (): Promise<number> => {
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // The footer shows the version from the same status answer the banner comes from: it is read.
      await page.getByText(/^Platform version /).waitFor();
      return banner.count();
    };
    await eventually('the ReadOnly banner on the page', async () => ((await bannerShown()) > 0 ? true : undefined), 60_000, 500);
    expect(await banner.textContent()).toMatch(/read-only/);
    await shots.take(page, 'banner-read-only');

    await patchPlatformSpec({ degradation: { mode: 'Normal' } });
    await eventually('GET /api/v1/status saying Normal', async () => ((await mode()) === 'Normal' ? true : undefined), 60_000, 500);
    await eventually('the page without the banner', async () => ((await bannerShown()) === 0 ? true : undefined), 60_000, 500);
  }, 180_000);
});
