import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { RulesPage } from '../support/rules-page';

test('rules added in the browser steer the very next command, and deleting one takes it back', async ({ page, server }) => {
  const junk = server.writeFile('photos/old.tmp', 'x', 3);
  const bak = server.writeFile('photos/old.bak', 'y', 3);
  const keep = server.writeFile('photos/beach.jpg', 'sand', 3);
  const photos = path.join(server.filesDir, 'photos');
  const rules = new RulesPage(page);
  await rules.open(server.url);

  await rules.addLocation('Photos', photos);
  await expect(rules.notice).toContainText('"photos" now means');
  await expect(rules.rules('Location aliases')).toHaveCount(1);
  await rules.addPatterns('junk', '*.tmp, *.bak');
  await expect(rules.rules('Pattern aliases')).toContainText('*.tmp, *.bak');

  // A bad pattern is refused with what to change, and nothing is added.
  await rules.addPhrase('sweep {where}', 'cleanup');
  await expect(rules.refusal).toContainText('{where} is not a placeholder');
  await expect(rules.rules('Phrase rules')).toHaveCount(0);

  await rules.addPhrase('sweep {dir} of {files}', 'cleanup');
  await expect(rules.notice).toContainText('applies to the next command');
  await expect(rules.rules('Phrase rules')).toContainText('sweep {dir} of {files}');

  await page.getByRole('link', { name: 'Console' }).click();
  const view = new ConsolePage(page);
  await expect(view.connection).toHaveAttribute('data-state', 'live');
  await view.send('sweep photos of junk');
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'cleanup');
  await expect(plan.locator('.preview-total')).toContainText('2 files');
  await expect(plan).toContainText(photos);
  const id = await view.confirm(plan);
  await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.existsSync(junk)).toBe(false);
  expect(fs.existsSync(bak)).toBe(false);
  expect(fs.existsSync(keep)).toBe(true);

  await page.getByRole('link', { name: 'Rules' }).click();
  await expect(rules.rules('Location aliases')).toHaveCount(1);
  await rules.section('Location aliases').getByRole('button', { name: 'Delete photos' }).click();
  await expect(rules.rules('Location aliases')).toHaveCount(0);
  await page.goto(server.url);
  await expect(view.connection).toHaveAttribute('data-state', 'live');
  await view.send('sweep photos of junk');
  await expect(view.lastReply()).toContainText('Which directory');
});
