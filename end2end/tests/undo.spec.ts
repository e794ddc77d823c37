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
  await view.lastPlan().getByRole('button', { name: 'Confirm' }).click();
  const status = view.lastPlan().getByRole('status');
  await expect(status).toContainText(/task #\d+ is queued/);
  const cleanupId = Number((await status.textContent())!.match(/#(\d+)/)![1]);
  await expect(view.task(cleanupId)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.existsSync(a) || fs.existsSync(b)).toBe(false);

  await view.send(`restore quarantine of task ${cleanupId}`);
  const undo = view.lastPlan();
  await expect(undo).toHaveAttribute('data-workflow', 'undo_cleanup');
  await expect(undo.locator('.preview-total')).toContainText('2 files');
  await undo.getByRole('button', { name: 'Confirm' }).click();
  await expect(undo.getByRole('status')).toContainText(/task #\d+ is queued/);
  const undoId = Number((await undo.getByRole('status').textContent())!.match(/#(\d+)/)![1]);
  await expect(view.task(undoId)).toHaveAttribute('data-state', 'succeeded');
  await expect(view.task(undoId).locator('.task-result')).toContainText('Put back 2 of 2 files');
  expect(fs.readFileSync(a, 'utf8')).toBe('first');
  expect(fs.readFileSync(b, 'utf8')).toBe('second');
});
