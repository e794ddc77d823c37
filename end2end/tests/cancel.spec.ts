import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('a running mirror streams progress to a second browser, which cancels it', async ({ browser, page, server }) => {
  // A sparse 32 GiB disk image: nothing on disk, but copying it takes far
  // longer than the test, so the task is mid-file when it is cancelled.
  const source = path.join(server.filesDir, 'vm');
  const image = path.join(source, 'disk.img');
  fs.mkdirSync(source);
  fs.closeSync(fs.openSync(image, 'w'));
  fs.truncateSync(image, 32 * 2 ** 30);
  const destination = path.join(server.filesDir, 'usb', 'vm');

  const starter = new ConsolePage(page);
  await starter.open(server.url);
  const watcher = await ConsolePage.openInNewBrowser(browser, server.url);

  await starter.send(`mirror ${source} to ${destination}`);
  await expect(starter.lastPlan()).toHaveAttribute('data-workflow', 'sync');
  const id = await starter.confirm();

  // The other browser sees it running, on the file, with bytes moving.
  const watched = watcher.task(id);
  await expect(watched).toHaveAttribute('data-state', 'running');
  await expect(watched.locator('.task-current')).toContainText('disk.img');
  await expect(watched.locator('.task-progress')).not.toContainText('· 0 B /');

  await watched.getByRole('button', { name: 'Cancel task' }).click();
  for (const view of [watcher, starter]) {
    await expect(view.task(id)).toHaveAttribute('data-state', 'cancelled');
    await expect(view.task(id).getByRole('button', { name: 'Cancel task' })).toHaveCount(0);
  }
  const progress = await watched.locator('.task-progress').textContent();
  expect(progress).not.toContain('32.0 GiB / 32.0 GiB');
  // The half-copied file was removed: the destination holds nothing but
  // Tend's own (empty) versions area, if that.
  const left = fs.existsSync(destination)
    ? fs.readdirSync(destination).filter((name) => name !== '.tend-versions')
    : [];
  expect(left).toEqual([]);
  await watcher.close();
});
