import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { TaskDetailPage } from '../support/tasks-page';

// What the user confirmed is what runs: a cleanup moves exactly the files its
// plan listed, and a mirror whose source changed after its preview still ends
// equal to the source, saying what it compared again.

/** Every file under `dir`, relative, with its content, leaving out `skip`. */
function tree(dir: string, skip = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.name === skip) continue;
      if (entry.isDirectory()) visit(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  visit(dir);
  return out;
}

test('a cleanup moves exactly the files its plan listed, and says which it skipped', async ({ page, server }) => {
  const scratch = path.join(server.filesDir, 'scratch');
  const a = server.writeFile('scratch/a.tmp', 'old a', 10);
  const b = server.writeFile('scratch/sub/b.tmp', 'old b', 10);
  const c = server.writeFile('scratch/c.tmp', 'old c', 10);
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`clean up *.tmp older than 7 days in ${scratch}`);
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'cleanup');
  await expect(plan.locator('.preview-total')).toContainText('3 files');
  await expect(view.parameter(plan, 'selection')).toHaveText(
    'Exactly the 3 files listed here; one that changes before the task runs is skipped',
  );

  // Between the preview and Confirm: b is written to, and a file the user
  // never saw becomes old enough to match.
  fs.writeFileSync(b, 'b, written after the preview');
  const late = server.writeFile('scratch/late.tmp', 'not in the plan', 10);

  const id = await view.confirm(plan);
  const task = view.task(id);
  await expect(task).toHaveAttribute('data-state', 'succeeded');
  await expect(task.locator('.task-result')).toContainText('Moved 2 of 2 files');
  await expect(task.locator('.task-result')).toContainText('Skipped 1 of the files the preview listed');
  expect(fs.existsSync(a)).toBe(false);
  expect(fs.existsSync(c)).toBe(false);
  expect(fs.readFileSync(b, 'utf8')).toBe('b, written after the preview');
  expect(fs.readFileSync(late, 'utf8')).toBe('not in the plan');

  // The task's page says which file was skipped and why.
  await task.getByRole('link', { name: `#${id}` }).click();
  const detail = new TaskDetailPage(page);
  await detail.waitUntilShown(id);
  await expect(detail.log.filter({ hasText: `${b} was not moved: it changed since the preview` })).toHaveCount(1);
  await expect(detail.log.filter({ hasText: late })).toHaveCount(0);
});

test('a mirror whose source changed after its preview compares those directories again and ends equal', async ({
  page,
  server,
}) => {
  server.writeFile('photos/2023/a.jpg', 'a', 1);
  server.writeFile('photos/2024/b.jpg', 'b', 1);
  server.writeFile('photos/2025/c.jpg', 'c', 1);
  server.writeFile('photos/index.txt', 'index', 1);
  const photos = path.join(server.filesDir, 'photos');
  // The drive is there; the mirror's folder on it is not yet.
  const usb = path.join(server.filesDir, 'usb', 'photos');
  fs.mkdirSync(path.dirname(usb));
  const view = new ConsolePage(page);
  await view.open(server.url);
  const detail = new TaskDetailPage(page);

  const mirror = async (expected: string): Promise<number> => {
    await view.send(`mirror ${photos} to ${usb} and remove what I deleted`);
    const plan = view.lastPlan();
    await expect(plan).toHaveAttribute('data-workflow', 'sync');
    await expect(plan).toContainText(expected);
    return view.confirm(plan);
  };
  const logOf = async (id: number) => {
    await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
    await detail.open(server.url, id);
    return detail.log;
  };

  // First: the preview's comparison is applied as it is.
  let id = await mirror('4 new, 0 updated');
  await expect(
    (await logOf(id)).filter({ hasText: 'Nothing changed since the preview: applying its comparison as confirmed.' }),
  ).toHaveCount(1);
  expect(tree(usb, '.tend-versions')).toEqual(tree(photos));

  // Then the source changes between the preview and Confirm: one file is
  // edited, one added in another directory, one removed in a third.
  await view.open(server.url);
  await view.send(`mirror ${photos} to ${usb} and remove what I deleted`);
  const plan = view.lastPlan();
  await expect(plan).toContainText('0 new, 0 updated');
  fs.writeFileSync(path.join(photos, '2023', 'a.jpg'), 'a, edited after the preview');
  server.writeFile('photos/2024/added.jpg', 'added after the preview', 1);
  fs.rmSync(path.join(photos, '2025', 'c.jpg'));
  id = await view.confirm(plan);
  const log = await logOf(id);
  await expect(
    log.filter({ hasText: /3 directories changed since the last comparison and were compared again/ }),
  ).toHaveCount(1);
  expect(tree(usb, '.tend-versions')).toEqual(tree(photos));
  expect(fs.readFileSync(path.join(usb, '2023', 'a.jpg'), 'utf8')).toBe('a, edited after the preview');
  expect(fs.existsSync(path.join(usb, '2025', 'c.jpg'))).toBe(false);
});
