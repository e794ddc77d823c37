import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { TendServer } from '../support/server';

/**
 * A mirror of `name` (holding `file`) whose source turned into a file after
 * its preview: it fails for good, since no later attempt can fix that.
 * Returns the failed task's id, the source and the destination.
 */
async function failedMirror(view: ConsolePage, server: TendServer, name: string, file: string) {
  const source = path.join(server.filesDir, name);
  const destination = path.join(server.filesDir, `${name}-mirror`);
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, file), file);
  await view.send(`mirror ${source} to ${destination}`);
  await expect(view.lastPlan()).toHaveAttribute('data-workflow', 'sync');
  fs.rmSync(source, { recursive: true });
  fs.writeFileSync(source, 'not a directory');
  const failed = await view.confirm();
  await expect(view.task(failed)).toHaveAttribute('data-state', 'failed');
  await expect(view.task(failed).locator('.task-error')).toContainText('is not a directory');
  // Fixed by hand.
  fs.rmSync(source);
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, file), file);
  return { failed, destination };
}

test('a failed task is retried from its row and the new task succeeds', async ({ page, server }) => {
  const view = new ConsolePage(page);
  await view.open(server.url);
  const { failed, destination } = await failedMirror(view, server, 'docs', 'a.txt');

  await view.task(failed).getByRole('button', { name: 'Retry' }).click();
  const again = view.tasks.locator('li.task', { hasText: `Runs task #${failed} again` });
  await expect(again).toHaveAttribute('data-state', 'succeeded');
  expect(fs.readFileSync(path.join(destination, 'a.txt'), 'utf8')).toBe('a.txt');
  // The failed task stays as it ended.
  await expect(view.task(failed)).toHaveAttribute('data-state', 'failed');
});

test('"retry task N" typed in the console runs a failed task again; a finished one is refused', async ({ page, server }) => {
  const view = new ConsolePage(page);
  await view.open(server.url);
  const { failed, destination } = await failedMirror(view, server, 'photos', 'b.jpg');

  await view.send(`retry task ${failed}`);
  await expect(view.lastReply()).toContainText(`Task #${failed} runs again as task #`);
  const again = Number((await view.lastReply().textContent())!.match(/as task #(\d+)/)![1]);
  await expect(view.task(again)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.readFileSync(path.join(destination, 'b.jpg'), 'utf8')).toBe('b.jpg');

  await view.send(`retry task ${again}`);
  await expect(view.lastReply()).toContainText('only a failed or cancelled task can be run again');
});
