import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { TendServer } from '../support/server';

/** A mirror that fails for good (its source became a file after the preview); its id. */
async function failedMirror(view: ConsolePage, server: TendServer, name: string): Promise<number> {
  const source = path.join(server.filesDir, name);
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, 'a.txt'), 'a');
  await view.send(`mirror ${source} to ${path.join(server.filesDir, `${name}-copy`)}`);
  await expect(view.lastPlan()).toHaveAttribute('data-workflow', 'sync');
  fs.rmSync(source, { recursive: true });
  fs.writeFileSync(source, 'not a directory');
  const id = await view.confirm();
  await expect(view.task(id)).toHaveAttribute('data-state', 'failed');
  return id;
}

test('"what failed today?" is answered with only the failed tasks, linked to their pages', async ({ page, server }) => {
  server.writeFile('scratch/a.tmp', 't', 40);
  const view = new ConsolePage(page);
  await view.open(server.url);
  await view.send(`clean up *.tmp in ${path.join(server.filesDir, 'scratch')}`);
  const fine = await view.confirm();
  await expect(view.task(fine)).toHaveAttribute('data-state', 'succeeded');
  const failed = await failedMirror(view, server, 'docs');

  await view.send('what failed today?');
  const answer = view.lastReply();
  await expect(answer).toContainText('1 failed tasks today');
  const cards = answer.locator('.task-card');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toHaveAttribute('data-task-id', String(failed));
  await expect(cards.first().locator('.task-error')).toContainText('is not a directory');
  await cards.first().getByRole('link', { name: `#${failed}` }).click();
  await expect(page).toHaveURL(new RegExp(`/tasks/${failed}$`));
});

test('a task that fails for good shows a banner on every open page until dismissed', async ({ page, browser, server }) => {
  const view = new ConsolePage(page);
  await view.open(server.url);
  const other = await ConsolePage.openInNewBrowser(browser, server.url);
  const failed = await failedMirror(view, server, 'photos');

  for (const v of [view, other]) {
    const banner = v.page.getByRole('region', { name: 'Alerts' }).locator('.alert');
    await expect(banner).toHaveCount(1);
    await expect(banner).toContainText(`Task #${failed}`);
    await expect(banner).toHaveAttribute('data-event', 'task_failed');
  }
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('region', { name: 'Alerts' })).toHaveCount(0);
  // Dismissed for everyone, and still after a reload.
  await expect(other.page.getByRole('region', { name: 'Alerts' })).toHaveCount(0);
  await view.open(server.url);
  await expect(page.getByRole('region', { name: 'Alerts' })).toHaveCount(0);
  await other.close();
});

test('an admin adds and removes where alerts go', async ({ page, server }) => {
  await page.goto(`${server.url}/rules`);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  const section = page.getByRole('region', { name: 'Alerts go to' });
  await expect(section).toContainText('Nowhere yet');
  const form = section.getByRole('form', { name: 'Add a notification target' });
  await form.getByRole('combobox', { name: 'Kind' }).selectOption('ntfy');
  await form.getByRole('textbox', { name: 'URL' }).fill('not a url');
  await form.getByRole('button', { name: 'Add' }).click();
  await expect(section.getByRole('alert')).toContainText('not a URL');
  await form.getByRole('textbox', { name: 'URL' }).fill('https://ntfy.example/tend-alerts');
  await form.getByRole('button', { name: 'Add' }).click();
  const target = section.locator('li.target');
  await expect(target).toHaveCount(1);
  await expect(target).toHaveAttribute('data-kind', 'ntfy');
  await expect(target).toContainText('https://ntfy.example/tend-alerts');
  await page.reload();
  await expect(section.locator('li.target')).toHaveCount(1);
  await section.getByRole('button', { name: 'Remove' }).click();
  await expect(section.locator('li.target')).toHaveCount(0);
});
