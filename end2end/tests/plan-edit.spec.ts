import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('a plan is edited before confirming and only the edited plan runs', async ({ page, server }) => {
  const tmp = server.writeFile('scratch/a.tmp', 't', 40);
  const oldLog = server.writeFile('scratch/old.log', 'old', 40);
  const newLog = server.writeFile('scratch/new.log', 'new', 1);
  const scratch = path.join(server.filesDir, 'scratch');
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`clean up *.tmp in ${scratch}`);
  // The first card, fixed: after the edit the newest card is another one.
  const first = page.getByRole('article', { name: 'Plan' }).first();
  await expect(first.locator('.preview-total')).toContainText('1 file');
  await first.getByRole('button', { name: 'Edit' }).click();
  const form = first.getByRole('form', { name: 'Edit plan' });
  await form.getByRole('textbox', { name: 'Patterns' }).fill('*.log');
  await form.getByRole('textbox', { name: 'Older than' }).fill('soon');
  await form.getByRole('button', { name: 'Update plan' }).click();
  // Unreadable values are explained, and the card stays open for a fix.
  await expect(first.getByRole('status')).toContainText('30 days');
  await form.getByRole('textbox', { name: 'Older than' }).fill('two weeks');
  await form.getByRole('button', { name: 'Update plan' }).click();
  await expect(first.getByRole('status')).toContainText('the new plan is below');
  await expect(first.getByRole('button', { name: 'Confirm' })).toHaveCount(0);

  const edited = view.lastPlan();
  await expect(view.parameter(edited, 'patterns')).toContainText('*.log');
  await expect(edited.locator('.preview-total')).toContainText('1 file');
  await expect(edited).toContainText('old.log');
  const id = await view.confirm(edited);
  await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.existsSync(oldLog)).toBe(false);
  expect(fs.existsSync(tmp)).toBe(true);
  expect(fs.existsSync(newLog)).toBe(true);
});
