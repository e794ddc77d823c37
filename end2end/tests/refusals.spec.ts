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

test('a question about deleting files plans nothing and says why', async ({ page, server }) => {
  const logs = path.join(server.filesDir, 'logs');
  fs.mkdirSync(logs);
  fs.writeFileSync(path.join(logs, 'old.log'), 'keep me');
  const view = new ConsolePage(page);
  await view.open(server.url);
  await view.send(`is it safe to delete the old logs in ${logs}?`);
  await expect(view.lastReply()).toContainText('reads as a question');
  await expect(view.page.getByRole('article', { name: 'Plan' })).toHaveCount(0);
  // The same words as a request do plan a cleanup.
  await view.send(`delete the old logs in ${logs}`);
  await expect(view.page.getByRole('article', { name: 'Plan' })).toHaveCount(1);
  expect(fs.readFileSync(path.join(logs, 'old.log'), 'utf8')).toBe('keep me');
});
