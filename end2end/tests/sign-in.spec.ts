import { Page } from '@playwright/test';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

const TOKEN = 'correct-horse-battery-staple';

test.use({ serverEnv: { TEND_ADMIN_TOKEN: TOKEN } });

/** Fills in the sign-in form on the page it is on and submits it. */
async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Password').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('with an admin token, the console is reached only by signing in', async ({ page, browser, server }) => {
  server.writeFile('scratch/old.tmp', 'x', 9);
  await page.goto(server.url);
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, 'a-wrong-guess-of-it');
  await expect(page.getByRole('alert')).toContainText('not the admin token');

  await signIn(page, TOKEN);
  await expect(page).toHaveURL(`${server.url}/`);

  // The signed-in page hydrates, its event stream is live and commands work.
  const view = new ConsolePage(page);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(view.connection).toHaveAttribute('data-state', 'live');
  await view.send(`clean up *.tmp in ${server.filesDir}/scratch`);
  await expect(view.lastPlan().locator('.preview-total')).toContainText('1 file');

  // A fresh browser (no cookie) is sent back to the sign-in page.
  const other = await browser.newContext();
  const stranger = await other.newPage();
  await stranger.goto(server.url);
  await expect(stranger).toHaveURL(/\/login$/);
  await other.close();

  // Signing out ends the session: the console is behind the sign-in again.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(server.url);
  await expect(page).toHaveURL(/\/login$/);
});

test('a console whose session ends (the token changed) is sent to sign in again', async ({ page, server }) => {
  await page.goto(`${server.url}/login`);
  await signIn(page, TOKEN);
  const view = new ConsolePage(page);
  await expect(view.connection).toHaveAttribute('data-state', 'live');

  // The admin replaces the token and restarts Tend (same address).
  server.env.TEND_ADMIN_TOKEN = 'a-brand-new-admin-token';
  await server.kill();
  await server.start();
  await expect(page).toHaveURL(/\/login$/, { timeout: 20_000 });
});
