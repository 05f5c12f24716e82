// The web app driven in a real browser (Debian's chromium under playwright-core; no browser download):
// a customer applies on a 360 px wide screen, a maker recommends, a checker approves, and the customer
// sees the approval — every step through the UI (docs/frontend.md, "The browser suite"). Shared by the
// in-process integration suite and the e2e suite against `make up`'s platform; each step saves a
// screenshot when given a folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Person {
  email: string;
  password: string;
}

/** A phone's screen: the narrowest width the app supports. */
export const PHONE = { width: 360, height: 780 };

/** The applicant the customer types in (the PAN's 5th letter is the surname's initial). */
export const WEB_APPLICANT = {
  name: 'Asha Verma',
  dateOfBirth: '1990-04-12',
  pan: 'ABCPV1234F',
  aadhaar: '234123412346',
  line1: '12 MG Road',
  city: 'Pune',
  state: 'Maharashtra',
  pincode: '411001',
};

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Headless Chromium from Debian's package (installed by hack/ensure-chromium.sh when missing). */
/** `args`: more of Chromium's flags (the e2e suite's trust in the platform's certificate, test/e2e/support.ts). */
export async function launchBrowser(args: string[] = []): Promise<Browser> {
  const executablePath = execFileSync(path.join(REPO, 'hack/ensure-chromium.sh'), { encoding: 'utf8' }).trim();
  // --no-sandbox: the suites run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, args: ['--no-sandbox', ...args] });
}

/** The serious and critical accessibility violations axe-core finds on each screen it is shown. */
export class Accessibility {
  readonly violations: string[] = [];

  async check(page: Page, screen: string): Promise<void> {
    // Evaluated by the browser's debugger protocol, which the page's CSP does not govern (it governs the page's own scripts).
    if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axe.source);
    const found = await page.evaluate(async () => {
      const results = await (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] });
      return results.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', nodes: v.nodes.length, help: v.help }));
    });
    for (const v of found) {
      if (v.impact === 'serious' || v.impact === 'critical')
        this.violations.push(`${screen}: ${v.id} (${v.impact}, ${v.nodes}×) ${v.help}`);
    }
  }
}

/** Each main screen: a screenshot (when given a folder) and an accessibility check (when given one). */
export class Screenshots {
  constructor(
    private readonly dir: string | undefined,
    private readonly accessibility?: Accessibility,
  ) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  async take(page: Page, name: string): Promise<void> {
    if (this.dir) await page.screenshot({ path: path.join(this.dir, `${name}.png`), fullPage: true });
    await this.accessibility?.check(page, name);
  }
}

/** A new page of its own (its own session storage) on a phone-sized screen. */
export async function openApp(browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  return page;
}

export async function signIn(page: Page, who: Person): Promise<void> {
  const signedIn = page.getByRole('button', { name: 'Sign out' });
  const refused = page.getByRole('alert');
  // Signed in, or refused with the app's message. A refusal that asks for a wait (the service busy for
  // N seconds: the app retries short ones itself) is waited out and tried again, as a person would, and
  // said on stderr; any other refusal fails at once with what the app said.
  for (let attempt = 1; ; attempt += 1) {
    await page.getByLabel('Email address').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await signedIn.or(refused).first().waitFor();
    if (await signedIn.isVisible()) return;
    const said = (await refused.first().textContent()) ?? '';
    const seconds = Number(/try again in (\d+) seconds/.exec(said)?.[1] ?? NaN);
    if (attempt === 3 || !(seconds <= 30)) throw new Error(`the sign-in of ${who.email} was refused: "${said}"`);
    process.stderr.write(`web-app journey: the sign-in of ${who.email} was refused ("${said}"); trying again in ${seconds} s\n`);
    await page.waitForTimeout(seconds * 1000);
    // A fresh page: the refusal's message is gone, so the next one cannot be mistaken for it.
    await page.reload();
  }
}

export async function register(page: Page, who: Person): Promise<void> {
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('status').filter({ hasText: 'sign in with it' }).waitFor();
}

/** The field error the app shows for `label`, once shown. */
export async function fieldError(page: Page, id: string): Promise<string> {
  const error = page.locator(`#${id}-error`);
  await error.waitFor();
  return (await error.textContent()) ?? '';
}

/**
 * The customer's whole application: consent, details (a wrong PAN first: its error is returned), two
 * documents, submit. Returns the application's id (the app keeps it for the tab) and the PAN error.
 */
export async function customerApplies(page: Page, shots: Screenshots): Promise<{ applicationId: string; panError: string }> {
  await shots.take(page, 'customer-consent');
  await page.getByRole('button', { name: 'I agree and start my application' }).click();
  await page.getByLabel('Full name as on your PAN card').waitFor();
  await page.getByLabel('PAN', { exact: true }).fill('ABCP1234');
  const panError = await fieldError(page, 'pan');
  await shots.take(page, 'customer-details-wrong-pan');
  const a = WEB_APPLICANT;
  for (const [label, value] of [
    ['Full name as on your PAN card', a.name],
    ['Date of birth', a.dateOfBirth],
    ['PAN', a.pan],
    ['Aadhaar number', a.aadhaar],
    ['Address line 1', a.line1],
    ['City', a.city],
    ['State', a.state],
    ['PIN code', a.pincode],
  ] as const) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Save and continue' }).click();
  for (const [type, name] of [
    ['passport', 'Passport'],
    ['pan_card', 'PAN card'],
  ] as const) {
    await page.getByLabel('Document', { exact: true }).selectOption(type);
    await page.getByLabel(/Photo or file/).setInputFiles({ name: `${type}.pdf`, mimeType: 'application/pdf', buffer: PDF });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.locator('ul.documents li', { hasText: new RegExp(`^${name}$`) }).waitFor();
  }
  await shots.take(page, 'customer-documents');
  await page.getByRole('button', { name: 'Submit my application' }).click();
  await page.getByRole('heading', { name: 'Your application' }).waitFor();
  await shots.take(page, 'customer-submitted');
  const applicationId = await page.evaluate(() => sessionStorage.getItem('kyc.application'));
  if (!applicationId) throw new Error('the app kept no application id after submitting');
  return { applicationId, panError };
}

/**
 * A staff member opens `applicationId` from the queue (reloading until the automatic checks have put it
 * there, within `timeoutMs`), gives `reason` and presses `decision`.
 */
export async function staffDecides(
  page: Page,
  applicationId: string,
  decision: 'Recommend approval' | 'Approve',
  reason: string,
  shots: Screenshots,
  shotName: string,
  timeoutMs = 180_000,
): Promise<void> {
  const open = page.getByRole('button', { name: `Open application ${applicationId}` });
  const deadline = Date.now() + timeoutMs;
  // The queue is oldest first: on a platform that has run many suites, the newest is further down, past
  // the first 100 — "Next page" until it shows or the queue ends.
  const showMost = async () => {
    // Not shown: say what the page said instead (an error the app told), so that a failure can be read.
    await page
      .getByRole('heading', { name: 'Review queue' })
      .waitFor()
      .catch(async (error: unknown) => {
        const said = await page
          .getByRole('alert')
          .allTextContents()
          .catch(() => []);
        throw new Error(
          `the review queue did not show (${(error as Error).message.split('\n')[0]}); the page said: ${JSON.stringify(said)}`,
        );
      });
    await page.getByLabel('How many').selectOption('100');
    // The queue is read after the page: give it its answer before looking.
    await page.waitForLoadState('networkidle');
    const next = page.getByRole('button', { name: 'Next page' });
    while (!(await open.isVisible()) && (await next.isVisible()) && (await next.isEnabled())) {
      await next.click();
      await page.waitForLoadState('networkidle');
    }
  };
  await showMost();
  while (!(await open.isVisible())) {
    if (Date.now() > deadline) throw new Error(`application ${applicationId} did not reach the ${shotName} queue in ${timeoutMs} ms`);
    await page.waitForTimeout(2000);
    await page.reload();
    await showMost();
  }
  await shots.take(page, `${shotName}-queue`);
  await open.click();
  await page.getByLabel('Reason (required)').fill(reason);
  await shots.take(page, `${shotName}-application`);
  await page.getByRole('button', { name: decision }).click();
  await page.getByRole('status').filter({ hasText: 'Done.' }).waitFor();
}

/** The customer's state text once it says `text`, refreshing (the app also polls) within `timeoutMs`. */
export async function customerSees(page: Page, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = page.locator('[data-state]');
  while (!((await state.textContent()) ?? '').includes(text)) {
    if (Date.now() > deadline) throw new Error(`the customer's page still says "${await state.textContent()}", not "${text}"`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(1000);
  }
}

export interface JourneyResult {
  /** The field error the wrong PAN got. */
  panError: string;
  /** The line under the approved state (the re-KYC date), as the customer reads it. */
  reKycLine: string;
}

/**
 * The whole journey through the UI: the customer registers, signs in and applies; the maker recommends
 * approval within `waits.reviewMs` of the submission; a different checker approves within
 * `waits.approvalMs`; the customer's page says Approved.
 */
export async function customerToApproval(
  browser: Browser,
  base: string,
  people: { customer: Person; maker: Person; checker: Person },
  shots: Screenshots,
  waits: { reviewMs: number; approvalMs: number },
): Promise<JourneyResult> {
  const customer = await openApp(browser, base);
  await shots.take(customer, 'customer-sign-in');
  await register(customer, people.customer);
  await signIn(customer, people.customer);
  const { applicationId, panError } = await customerApplies(customer, shots);

  const maker = await openApp(browser, base);
  await signIn(maker, people.maker);
  await staffDecides(maker, applicationId, 'Recommend approval', 'documents match the applicant', shots, 'maker', waits.reviewMs);

  const checker = await openApp(browser, base);
  await signIn(checker, people.checker);
  await staffDecides(checker, applicationId, 'Approve', 'recommendation checked', shots, 'checker', waits.approvalMs);

  await customerSees(customer, 'Approved', waits.approvalMs);
  await shots.take(customer, 'customer-approved');
  const reKycLine = (await customer.getByText(/Your KYC is valid until/).textContent()) ?? '';
  return { panError, reKycLine };
}
