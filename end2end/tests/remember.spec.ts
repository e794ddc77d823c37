import * as path from 'node:path';
import { Browser } from '@playwright/test';
import { TendApi } from '../support/api';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { RulesPage } from '../support/rules-page';

// Learning from corrections: Edit on a plan card changes what the command
// means, and "Remember this" keeps the correction: an admin's at once, an
// operator's as a proposal an admin accepts on the Rules page, which shows
// who added what.

const TOKEN = 'correct-horse-battery-staple';
const PASSWORD = 'a long enough password';

test.use({ serverEnv: { TEND_ADMIN_TOKEN: TOKEN } });

async function signedIn(browser: Browser, url: string, name: string): Promise<ConsolePage> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}/login`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${url}/`);
  const view = new ConsolePage(page);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(view.connection).toHaveAttribute('data-state', 'live');
  return view;
}

/** Sends `text`, edits the plan's meaning to `intent`; the new card. */
async function correct(view: ConsolePage, text: string, intent: string) {
  const cards = view.page.getByRole('article', { name: 'Plan' });
  const before = await cards.count();
  await view.send(text);
  await expect(cards).toHaveCount(before + 1);
  const first = cards.nth(before);
  await first.getByRole('button', { name: 'Edit' }).click();
  await first.getByRole('combobox', { name: /^Meaning/ }).selectOption(intent);
  await first.getByRole('button', { name: 'Update plan' }).click();
  await expect(cards).toHaveCount(before + 2);
  await expect(first.getByRole('status')).toContainText('Edited');
  const corrected = cards.nth(before + 1);
  await expect(corrected).toHaveAttribute('data-workflow', intent);
  return corrected;
}

test("an operator's correction is proposed, an admin accepts it, and the Rules page says who added it", async ({ browser, server }) => {
  const api = new TendApi(server.url, TOKEN);
  await api.addUser('olga', 'operator', PASSWORD);
  await api.addUser('ada', 'admin', PASSWORD);
  server.writeFile('docs/a.md', 'a', 1);
  const docs = path.join(server.filesDir, 'docs');
  const usb = path.join(server.filesDir, 'usb');
  const text = `back up ${docs} to ${usb}`;

  const olga = await signedIn(browser, server.url, 'olga');
  const corrected = await correct(olga, text, 'sync');
  await corrected.getByRole('button', { name: 'Remember this' }).click();
  await expect(corrected.locator('.remember-note')).toContainText('Sent to the admins');
  const id = await olga.confirm(corrected);
  await expect(olga.task(id)).toHaveAttribute('data-state', 'succeeded');

  const ada = await signedIn(browser, server.url, 'ada');
  const rules = new RulesPage(ada.page);
  await rules.open(server.url);
  const proposals = rules.section('Proposals');
  await expect(proposals).toContainText(text);
  await expect(proposals).toContainText('proposed by olga');
  await proposals.getByRole('button', { name: `Accept ${text}` }).click();
  await expect(rules.notice).toContainText(`Accepted: "${text}" now means sync.`);
  await expect(rules.section('Proposals')).toHaveCount(0);
  await expect(rules.rules('Example phrases')).toContainText(text);
  await expect(rules.rules('Example phrases')).toContainText('added by olga, accepted by ada');

  // In force at once: the same words are now read as a mirror.
  await ada.page.goto(server.url);
  await expect(ada.connection).toHaveAttribute('data-state', 'live');
  await ada.send(text);
  await expect(ada.lastPlan()).toHaveAttribute('data-workflow', 'sync');
});

test("an admin's correction is remembered at once", async ({ browser, server }) => {
  const api = new TendApi(server.url, TOKEN);
  await api.addUser('ada', 'admin', PASSWORD);
  server.writeFile('photos/a.jpg', 'a', 1);
  const photos = path.join(server.filesDir, 'photos');
  const text = `back up ${photos} to ${path.join(server.filesDir, 'nas')}`;

  const ada = await signedIn(browser, server.url, 'ada');
  const corrected = await correct(ada, text, 'sync');
  await corrected.getByRole('button', { name: 'Remember this' }).click();
  await expect(corrected.locator('.remember-note')).toContainText(`Remembered: "${text}" now means sync`);
  const rules = new RulesPage(ada.page);
  await rules.open(server.url);
  await expect(rules.section('Proposals')).toHaveCount(0);
  await expect(rules.rules('Example phrases')).toContainText(text);
  await expect(rules.rules('Example phrases')).toContainText('added by ada');
});
