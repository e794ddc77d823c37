import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('a directory is backed up and restored from the console', async ({ page, server }) => {
  server.writeFile('photos/2024/beach.jpg', 'sand and sea', 3);
  server.writeFile('photos/notes.txt', 'remember the sunscreen', 3);
  const photos = path.join(server.filesDir, 'photos');
  const repo = path.join(server.filesDir, 'nas', 'photos-backup');
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`back up ${photos} to ${repo}, keep the last 7`);
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'backup');
  await expect(plan.locator('.preview-total')).toContainText('2 files');
  await expect(view.parameter(plan, 'keep_last')).toContainText('keep the last 7');
  const backup = await view.confirm();
  await expect(view.task(backup)).toHaveAttribute('data-state', 'succeeded');
  await expect(view.task(backup).locator('.task-result')).toContainText('as snapshot');
  expect(fs.existsSync(path.join(repo, 'config'))).toBe(true);

  const target = path.join(server.filesDir, 'check');
  await view.send(`restore ${target} from ${repo}`);
  await expect(view.lastPlan()).toHaveAttribute('data-workflow', 'restore');
  const restore = await view.confirm();
  await expect(view.task(restore)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.readFileSync(path.join(target, '2024', 'beach.jpg'), 'utf8')).toBe('sand and sea');

  // The admin page shows the repository password on request, with a warning.
  await page.getByRole('link', { name: 'Rules' }).click();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByLabel('Repository password')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show the backup password' }).click();
  const onDisk = fs.readFileSync(path.join(server.dataDir, 'secrets', 'restic.password'), 'utf8').trim();
  await expect(page.getByLabel('Repository password')).toHaveText(onDisk);
  await expect(page.getByRole('note')).toContainText('Keep a copy');
  // No sign-in on this server, so nothing to sign out of.
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('a directory is mirrored from the console, deletions kept as versions', async ({ page, server }) => {
  server.writeFile('docs/a.md', 'new a', 1);
  const gone = server.writeFile('usb/docs/gone.md', 'deleted at the source', 1);
  const docs = path.join(server.filesDir, 'docs');
  const usb = path.join(server.filesDir, 'usb', 'docs');
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`mirror ${docs} to ${usb} and remove what I deleted`);
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'sync');
  await expect(plan).toContainText('- gone.md');
  const id = await view.confirm();
  await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.readFileSync(path.join(usb, 'a.md'), 'utf8')).toBe('new a');
  expect(fs.existsSync(gone)).toBe(false);
  const kept = path.join(usb, '.tend-versions', `task-${id}`, 'gone.md');
  expect(fs.readFileSync(kept, 'utf8')).toBe('deleted at the source');
});

test('a mirror run again copies only what changed, also where its last run kept the listings', async ({ page, server }) => {
  server.writeFile('notes/old/kept.md', 'unchanged', 1);
  server.writeFile('notes/top.md', 'top', 1);
  const notes = path.join(server.filesDir, 'notes');
  const usb = path.join(server.filesDir, 'usb', 'notes');
  const view = new ConsolePage(page);
  await view.open(server.url);
  const mirror = async (expected: string) => {
    await view.send(`mirror ${notes} to ${usb}`);
    const plan = view.lastPlan();
    await expect(plan).toHaveAttribute('data-workflow', 'sync');
    await expect(plan).toContainText(expected);
    const id = await view.confirm();
    await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
  };

  await mirror('2 new, 0 updated');
  // Listings are kept only of directories unchanged for 2 seconds before
  // a walk: this run's walk keeps them all.
  await new Promise((settle) => setTimeout(settle, 2500));
  await mirror('0 new, 0 updated, 0 deleted, 2 unchanged');

  // Changes beside a kept listing and inside one: both are found.
  server.writeFile('notes/old/added.md', 'added', 1);
  fs.writeFileSync(path.join(notes, 'top.md'), 'top, edited');
  await mirror('1 new, 1 updated');
  expect(fs.readFileSync(path.join(usb, 'old', 'added.md'), 'utf8')).toBe('added');
  expect(fs.readFileSync(path.join(usb, 'top.md'), 'utf8')).toBe('top, edited');
  expect(fs.readFileSync(path.join(usb, 'old', 'kept.md'), 'utf8')).toBe('unchanged');
});

test('a missing destination is asked for, and the answer completes the plan', async ({ page, server }) => {
  server.writeFile('music/song.flac', 'la la la', 2);
  const music = path.join(server.filesDir, 'music');
  const usb = path.join(server.filesDir, 'usb', 'music');
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`sync ${music}`);
  await expect(view.lastReply()).toContainText('where to?');
  await view.send(`to ${usb}`);
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'sync');
  await expect(view.parameter(plan, 'destination')).toContainText(usb);
  await expect(plan.locator('.preview-total')).toContainText('1 file');
});
