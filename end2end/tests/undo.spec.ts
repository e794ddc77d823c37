import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('a cleanup is undone from the console, file for file', async ({ page, server }) => {
  const a = server.writeFile('photos/tmp/a.tmp', 'first', 10);
  const b = server.writeFile('photos/tmp/sub/b.tmp', 'second', 10);
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`clean up *.tmp in ${path.join(server.filesDir, 'photos')}`);
  const cleanupId = await view.confirm();
  await expect(view.task(cleanupId)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.existsSync(a) || fs.existsSync(b)).toBe(false);

  await view.send(`restore quarantine of task ${cleanupId}`);
  const undo = view.lastPlan();
  await expect(undo).toHaveAttribute('data-workflow', 'undo_cleanup');
  await expect(undo.locator('.preview-total')).toContainText('2 files');
  const undoId = await view.confirm(undo);
  await expect(view.task(undoId)).toHaveAttribute('data-state', 'succeeded');
  await expect(view.task(undoId).locator('.task-result')).toContainText('Put back 2 of 2 files');
  expect(fs.readFileSync(a, 'utf8')).toBe('first');
  expect(fs.readFileSync(b, 'utf8')).toBe('second');
});
