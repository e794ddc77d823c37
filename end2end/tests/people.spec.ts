import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, Page } from '@playwright/test';
import { TendApi } from '../support/api';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

// Several people share one Tend, each with the rights of their role: a
// viewer watches, an operator runs tasks, an admin manages users and reads
// the audit log.

const TOKEN = 'correct-horse-battery-staple';
const PASSWORD = 'a long enough password';

test.use({ serverEnv: { TEND_ADMIN_TOKEN: TOKEN } });

/** Signs `name` in at /login in a browser of their own; their console, hydrated. */
async function signedIn(browser: Browser, url: string, name: string, password = PASSWORD): Promise<ConsolePage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/login`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${url}/`);
  const view = new ConsolePage(page);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByLabel('Signed in as')).toContainText(name);
  return view;
}

/** The page a role may not open says which role it needs. */
async function expectRefused(page: Page, url: string, needed: string): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText(`needs the ${needed} role`);
}

test('a viewer sees the tasks but nothing to act with', async ({ browser, server }) => {
  const api = new TendApi(server.url, TOKEN);
  await api.addUser('vic', 'viewer', PASSWORD);
  server.writeFile('scratch/old.tmp', 'x', 9);
  const task = await api.run(`clean up *.tmp in ${path.join(server.filesDir, 'scratch')}`);
  await api.waitFor(task, 'succeeded');

  const view = await signedIn(browser, server.url, 'vic');
  const page = view.page;
  await expect(page.getByLabel('Signed in as')).toContainText('viewer');
  // The task is there, with who asked for it.
  await expect(view.task(task)).toHaveAttribute('data-state', 'succeeded');
  await expect(view.task(task)).toContainText('asked by admin token');
  // No command box, no Confirm: a note says why.
  await expect(page.getByRole('textbox', { name: 'Command' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Confirm' })).toHaveCount(0);
  await expect(page.getByText('Running commands needs the operator role')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Rules' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Tasks' })).toBeVisible();

  // The task's page shows it, without Undo or Retry.
  await view.task(task).getByRole('link', { name: `#${task}` }).click();
  await expect(page.locator('.detail-summary')).toContainText('Clean up');
  await expect(page.getByText('Asked by admin token')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);

  // Not hiding alone: the server refuses what the page does not offer.
  const typed = await page.evaluate(async () => {
    const r = await fetch('/api/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'clean up *.tmp in /tmp' }),
    });
    return { status: r.status, body: await r.json() };
  });
  expect(typed.status).toBe(403);
  expect(typed.body.error).toContain('operator');
  await expectRefused(page, `${server.url}/rules`, 'admin');
});

test('an operator runs a cleanup but cannot open the rules', async ({ browser, server }) => {
  await new TendApi(server.url, TOKEN).addUser('olga', 'operator', PASSWORD);
  const old = server.writeFile('scratch/old.tmp', 'old', 9);
  const view = await signedIn(browser, server.url, 'olga');
  await expect(view.page.getByRole('link', { name: 'Rules' })).toHaveCount(0);

  await view.send(`clean up *.tmp in ${path.join(server.filesDir, 'scratch')}`);
  const plan = view.lastPlan();
  await expect(plan.locator('.asked-by')).toHaveText('asked by olga');
  const id = await view.confirm(plan);
  await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
  await expect(view.task(id)).toContainText('asked by olga');
  expect(fs.existsSync(old)).toBe(false);

  await expectRefused(view.page, `${server.url}/rules`, 'admin');
  await expectRefused(view.page, `${server.url}/audit`, 'admin');
});

test('an admin adds a user, who signs in with the password shown once, and reads the audit', async ({
  browser,
  server,
}) => {
  await new TendApi(server.url, TOKEN).addUser('ada', 'admin', PASSWORD);
  const admin = await signedIn(browser, server.url, 'ada');
  const page = admin.page;
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(`${server.url}/users`);
  const users = page.getByRole('region', { name: 'Users' });
  await expect(users.locator('tr.user-row[data-user="ada"]')).toBeVisible();

  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Name').fill('vera');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Add user' }).click();
  const shown = page.getByLabel('New password');
  await expect(shown).toBeVisible();
  const password = (await shown.textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(12);
  await expect(users.locator('tr.user-row[data-user="vera"]')).toContainText('viewer');

  // Vera signs in with it, as a viewer.
  const vera = await signedIn(browser, server.url, 'vera', password);
  await expect(vera.page.getByLabel('Signed in as')).toContainText('viewer');

  // The admin makes her an operator: her next page offers the command box.
  await users.getByLabel('Role of vera').selectOption('operator');
  const roleOfVera = () =>
    page.evaluate(async () => {
      const all = await (await fetch('/api/users')).json();
      return all.find((u: { name: string }) => u.name === 'vera')?.role;
    });
  await expect.poll(roleOfVera).toBe('operator');
  await vera.page.reload();
  await expect(vera.page.getByRole('textbox', { name: 'Command' })).toBeVisible();

  // The audit log says who did what.
  await page.getByRole('link', { name: 'Audit' }).click();
  const audit = page.getByRole('region', { name: 'Audit log' });
  await expect(audit.locator('tr.audit-row[data-action="user.added"]').filter({ hasText: 'added vera as viewer' })).toHaveCount(1);
  await expect(audit.locator('tr.audit-row[data-action="user.changed"]').filter({ hasText: 'vera: role operator' })).toHaveCount(1);
  await expect(audit.locator('tr.audit-row[data-action="sign_in"]').filter({ hasText: 'vera' })).toHaveCount(1);
  // Filtered to one person.
  await audit.getByRole('searchbox', { name: 'User' }).fill('vera');
  await audit.getByRole('searchbox', { name: 'User' }).press('Enter');
  await expect(audit.locator('tr.audit-row[data-action="user.added"]')).toHaveCount(0);
  await expect(audit.locator('tr.audit-row[data-action="sign_in"]')).toHaveCount(1);
});
