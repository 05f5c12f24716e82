// The admin's pages driven in a real browser (docs/frontend.md, "The browser suite"): reached with the
// keyboard alone from the top of the page, a staff account created, disabled and made a checker, a
// refusal of the API shown in words, the analytics charts and the platform's status — each screen shot and checked by
// axe-core through `shots`.
import type { Browser, Page } from 'playwright-core';
import { type Person, type Screenshots, openApp, signIn } from './web-app-journey.js';

/** Presses Tab from where the focus is until the focused element's accessible text is `name` (at most `max` presses). */
export async function tabTo(page: Page, name: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const active = (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document
        .activeElement;
      return active?.textContent?.trim() ?? '';
    });
    if (focused === name) return;
  }
  throw new Error(`"${name}" was not reached with ${max} presses of Tab`);
}

export interface AdminPagesResult {
  /** What the page said when the new account was disabled. */
  disabledNotice: string;
  /** What the page said when the same email was used again (a 409 of the API). */
  duplicateError: string;
  /** What the page said when the new account was made a checker. */
  roleChangedNotice: string;
  /** The approval-rate chart's accessible description. */
  approvalRate: string;
  /** The turnaround chart's accessible description. */
  turnaround: string;
  /** The mode the platform status page shows. */
  mode: string;
}

/** The admin signs in and goes through the staff accounts, the analytics and the platform status. */
export async function adminPages(
  browser: Browser,
  base: string,
  admin: Person,
  newMaker: Person & { staffId: string },
  shots: Screenshots,
): Promise<AdminPagesResult> {
  const page: Page = await openApp(browser, base);
  await signIn(page, admin);
  await page.getByRole('navigation', { name: 'Administration' }).waitFor();

  // Keyboard only: Tab from the top of the page to the section, Enter to open it.
  await page.locator('body').focus();
  await tabTo(page, 'Staff accounts');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Staff accounts' }).waitFor();
  await page.getByLabel('Email address').fill(newMaker.email);
  await page.getByLabel('First password').fill(newMaker.password);
  await page.getByLabel('Role').selectOption('maker');
  await page.getByLabel('Staff id').fill(newMaker.staffId);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Account ${newMaker.email} created.` })
    .waitFor();
  await shots.take(page, 'admin-accounts');

  const disable = page.getByRole('button', { name: `Disable ${newMaker.email}` });
  await disable.focus();
  await page.keyboard.press('Enter');
  const notice = page.getByRole('status').filter({ hasText: 'is disabled' });
  await notice.waitFor();
  const disabledNotice = (await notice.textContent()) ?? '';
  await page.getByRole('button', { name: `Enable ${newMaker.email}` }).waitFor();

  // The same email again: the API's 409, in words.
  await page.getByLabel('Email address').fill(newMaker.email);
  await page.getByLabel('First password').fill(newMaker.password);
  await page.getByLabel('Staff id').fill(`${newMaker.staffId}-2`);
  await page.getByRole('button', { name: 'Create account' }).click();
  const refusal = page.locator('form').getByRole('alert');
  await refusal.waitFor();
  const duplicateError = (await refusal.textContent()) ?? '';
  await shots.take(page, 'admin-accounts-refused');

  // A role change with the keyboard: the form opens under the account's row with the focus in its role list.
  const changeRole = page.getByRole('button', { name: `Change the role of ${newMaker.email}` });
  await changeRole.focus();
  await page.keyboard.press('Enter');
  const newRole = page.getByLabel(`New role for ${newMaker.email}`);
  await newRole.waitFor();
  await newRole.selectOption('checker');
  await shots.take(page, 'admin-role-change');
  await page.getByRole('button', { name: 'Save the role' }).click();
  const changed = page.getByRole('status').filter({ hasText: 'is now checker' });
  await changed.waitFor();
  const roleChangedNotice = (await changed.textContent()) ?? '';

  await page.getByRole('button', { name: 'Analytics' }).click();
  const rate = page.getByRole('img', { name: /Approval rate/ });
  await rate.waitFor();
  const approvalRate = (await rate.locator('desc').textContent()) ?? '';
  const turnaround =
    (await page
      .getByRole('img', { name: /Turnaround/ })
      .locator('desc')
      .textContent()) ?? '';
  await shots.take(page, 'admin-analytics');

  await page.getByRole('button', { name: 'Platform status' }).click();
  const mode = page.locator('dd[data-mode]');
  await mode.waitFor();
  await shots.take(page, 'admin-platform');
  const result = {
    disabledNotice,
    duplicateError,
    roleChangedNotice,
    approvalRate,
    turnaround,
    mode: (await mode.getAttribute('data-mode')) ?? '',
  };
  await page.context().close();
  return result;
}

/**
 * The admin's pages while the platform is ReadOnly: the banner on every page, a new staff account refused
 * (the app says the mode, not a bare 503), the platform status naming the mode.
 */
export async function adminInReadOnly(
  browser: Browser,
  base: string,
  admin: Person,
  shots: Screenshots,
): Promise<{ banner: string; refusal: string; mode: string }> {
  const page: Page = await openApp(browser, base);
  const banner = page.locator('.banner[data-mode="ReadOnly"]');
  await banner.waitFor();
  // Signing in is a write the ReadOnly mode still serves (docs/api.md, "Degradation").
  await signIn(page, admin);
  await page.getByRole('button', { name: 'Staff accounts' }).click();
  await page.getByLabel('Email address').fill('read-only@bank.example');
  await page.getByLabel('First password').fill('read-only-password-1');
  await page.getByLabel('Role').selectOption('admin');
  await page.getByRole('button', { name: 'Create account' }).click();
  const refusal = page.locator('form').getByRole('alert');
  await refusal.waitFor();
  const refusalText = (await refusal.textContent()) ?? '';
  await shots.take(page, 'admin-read-only-refused');
  await page.getByRole('button', { name: 'Platform status' }).click();
  const mode = page.locator('dd[data-mode]');
  await mode.waitFor();
  await shots.take(page, 'admin-platform-read-only');
  const result = {
    banner: (await banner.textContent()) ?? '',
    refusal: refusalText,
    mode: (await mode.getAttribute('data-mode')) ?? '',
  };
  await page.context().close();
  return result;
}
