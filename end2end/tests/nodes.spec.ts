import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { POSTGRES_ENV, TestDatabase } from '../support/postgres';
import { TendServer } from '../support/server';
import { skipIfMissing } from '../support/skip';
import { expect, test } from '../support/fixtures';

// Two real servers on one PostgreSQL database act as one Tend. Node b has
// no workers, so whatever its browser sees of a running task came from
// node a through the database, and a cancel pressed there must travel back.
test('a browser on one node follows a mirror the other node runs, and cancels it', async ({ browser }) => {
  const adminUrl = process.env[POSTGRES_ENV];
  skipIfMissing(
    'the two-node browser test',
    adminUrl ? undefined : `no PostgreSQL: set ${POSTGRES_ENV} (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it`,
  );

  const db = await TestDatabase.create(adminUrl!);
  const a = new TendServer({ TEND_DATABASE_URL: db.url, TEND_NODE_NAME: 'node-a' });
  const b = new TendServer({ TEND_DATABASE_URL: db.url, TEND_NODE_NAME: 'node-b', TEND_WORKERS: '0' }, a);
  const views: ConsolePage[] = [];
  try {
    await a.start();
    await b.start();
    // A sparse 32 GiB disk image: nothing on disk, but far longer to copy
    // than the test runs, so the mirror is mid-file when it is cancelled.
    const source = path.join(a.filesDir, 'vm');
    fs.mkdirSync(source);
    fs.closeSync(fs.openSync(path.join(source, 'disk.img'), 'w'));
    fs.truncateSync(path.join(source, 'disk.img'), 32 * 2 ** 30);
    const destination = path.join(a.filesDir, 'usb', 'vm');

    const atA = await ConsolePage.openInNewBrowser(browser, a.url);
    views.push(atA);
    const atB = await ConsolePage.openInNewBrowser(browser, b.url);
    views.push(atB);

    // Planned and confirmed at node b, which runs nothing itself.
    await atB.send(`mirror ${source} to ${destination}`);
    await expect(atB.lastPlan()).toHaveAttribute('data-workflow', 'sync');
    const id = await atB.confirm();

    // Both browsers follow it live: running, on the file, bytes moving.
    for (const view of [atB, atA]) {
      const task = view.task(id);
      await expect(task).toHaveAttribute('data-state', 'running');
      await expect(task.locator('.task-current')).toContainText('disk.img');
      await expect(task.locator('.task-progress')).not.toContainText('· 0 B /');
    }
    // Progress keeps arriving at node b's browser, not just one update.
    const before = await atB.task(id).locator('.task-progress').textContent();
    await expect(atB.task(id).locator('.task-progress')).not.toHaveText(before!);

    // Cancelled at node b: node a stops it, and both browsers see the end.
    await atB.task(id).getByRole('button', { name: 'Cancel task' }).click();
    for (const view of [atB, atA]) {
      await expect(view.task(id)).toHaveAttribute('data-state', 'cancelled');
      await expect(view.task(id).getByRole('button', { name: 'Cancel task' })).toHaveCount(0);
    }
    const left = fs.existsSync(destination)
      ? fs.readdirSync(destination).filter((name) => name !== '.tend-versions')
      : [];
    expect(left).toEqual([]);
  } finally {
    for (const view of views) await view.close();
    await b.kill();
    await a.dispose();
    await db.drop();
  }
});
