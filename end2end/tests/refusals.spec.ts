import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('paths outside the allowed roots are refused with a clear message', async ({ page, server }) => {
  const outside = path.join(server.home, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'precious.tmp'), 'keep me');
  fs.symlinkSync(outside, path.join(server.filesDir, 'sneaky'));

  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`clean up *.tmp in ${outside}`);
  await expect(view.lastError()).toContainText('outside the allowed roots');

  await view.send(`clean up *.tmp in ${server.filesDir}/../outside`);
  await expect(view.page.locator('.entry.error')).toHaveCount(2);
  await expect(view.lastError()).toContainText('outside the allowed roots');

  await view.send(`clean up *.tmp in ${server.filesDir}/sneaky`);
  await expect(view.page.locator('.entry.error')).toHaveCount(3);
  await expect(view.lastError()).toContainText('which resolves to');

  await expect(view.page.getByRole('article', { name: 'Plan' })).toHaveCount(0);
  expect(fs.readFileSync(path.join(outside, 'precious.tmp'), 'utf8')).toBe('keep me');
});

test('an unknown request gets help, not a guess', async ({ page, server }) => {
  const view = new ConsolePage(page);
  await view.open(server.url);
  await view.send('tell me a joke');
  await expect(view.lastReply()).toContainText('I can clean up files');
  await expect(view.page.getByRole('article', { name: 'Plan' })).toHaveCount(0);
});
