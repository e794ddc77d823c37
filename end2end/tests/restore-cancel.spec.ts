import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

// Backing up and restoring 450 MB in a debug build takes a while.
test.setTimeout(180_000);

test('a restore cancelled from a second browser leaves only whole files, and "overwrite" finishes it', async ({ browser, page, server }) => {
  // 450 MB of incompressible files: the restore runs in several steps of at
  // most 64 MiB, with a look at the cancel flag between them.
  const source = path.join(server.filesDir, 'media');
  const files = 1800;
  for (let i = 0; i < files; i++) {
    const dir = path.join(source, `d${i % 12}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.bin`), crypto.randomBytes(256 * 1024));
  }
  const repo = path.join(server.filesDir, 'nas', 'media-backup');
  const target = path.join(server.filesDir, 'restored');

  const starter = new ConsolePage(page);
  await starter.open(server.url);
  await starter.send(`back up ${source} to ${repo}`);
  await expect(starter.lastPlan()).toHaveAttribute('data-workflow', 'backup');
  const backup = await starter.confirm();
  await expect(starter.task(backup)).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });

  const watcher = await ConsolePage.openInNewBrowser(browser, server.url);

  await starter.send(`restore ${target} from ${repo}`);
  await expect(starter.lastPlan()).toHaveAttribute('data-workflow', 'restore');
  const restore = await starter.confirm();

  // The other browser sees it running with bytes moving, and cancels it.
  // Looked at every 25 ms: an assertion's own backoff (up to a second
  // between looks) once let the whole restore finish before the click.
  const watched = watcher.task(restore);
  await expect(watched).toHaveAttribute('data-state', 'running');
  await expect(async () => {
    expect(await watched.locator('.task-progress').textContent()).not.toContain('· 0 B /');
  }).toPass({ intervals: [25], timeout: 60_000 });
  await watched.getByRole('button', { name: 'Cancel task' }).click();
  for (const view of [watcher, starter]) {
    await expect(view.task(restore)).toHaveAttribute('data-state', 'cancelled');
    await expect(view.task(restore).locator('.task-result')).toContainText('each of them whole');
  }

  // Fewer than all files came back, and each one that did is the source's
  // byte for byte: a cancel never leaves a half-written file.
  const restored = listFiles(target);
  expect(restored.length).toBeLessThan(files);
  for (const relative of restored) {
    expect(sameBytes(path.join(source, relative), path.join(target, relative)), relative).toBe(true);
  }
  const said = await watched.locator('.task-result').textContent();
  expect(said).toContain(`${restored.length} of ${files} files`);

  // Asked again with "overwrite", the restore completes the tree.
  await watcher.send(`restore ${target} from ${repo} and overwrite`);
  await expect(watcher.lastPlan()).toHaveAttribute('data-workflow', 'restore');
  const again = await watcher.confirm();
  await expect(watcher.task(again)).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  await expect(starter.task(again)).toHaveAttribute('data-state', 'succeeded');
  const all = listFiles(target);
  expect(all.length).toBe(files);
  for (const relative of all) {
    expect(sameBytes(path.join(source, relative), path.join(target, relative)), relative).toBe(true);
  }
  await watcher.close();
});

/** Every regular file under `root`, as paths relative to it. */
function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((relative) => fs.statSync(path.join(root, relative)).isFile())
    .sort();
}

function sameBytes(a: string, b: string): boolean {
  return fs.readFileSync(a).equals(fs.readFileSync(b));
}
