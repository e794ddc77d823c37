import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('a typed cleanup becomes a plan, then a live task, then files in quarantine', async ({ browser, server }) => {
  const dir = path.join(server.filesDir, 'scratch');
  const oldA = server.writeFile('scratch/a.tmp', 'aaaa', 10);
  const oldB = server.writeFile('scratch/nested/b.tmp', 'bbbbbb', 30);
  const fresh = server.writeFile('scratch/c.tmp', 'fresh', 1);
  const other = server.writeFile('scratch/keep.txt', 'not a tmp', 60);

  // Two browser windows on the same page.
  const first = await ConsolePage.openInNewBrowser(browser, server.url);
  const second = await ConsolePage.openInNewBrowser(browser, server.url);
  // The second window must be updated by push, never by polling or reloads.
  const polls: string[] = [];
  second.page.on('request', (r) => {
    if (r.url().includes('/api/tasks') || r.resourceType() === 'document') polls.push(r.url());
  });

  await first.send(`clean up *.tmp files older than 7 days in ${dir}`);

  const plan = first.lastPlan();
  await expect(plan).toBeVisible();
  await expect(plan).toHaveAttribute('data-workflow', 'cleanup');
  await expect(first.parameter(plan, 'directory')).toHaveText(dir);
  await expect(first.parameter(plan, 'patterns')).toHaveText('*.tmp');
  await expect(first.parameter(plan, 'older_than_days')).toHaveText('7 days');
  await expect(plan.locator('.preview-total')).toContainText('2 files');
  await expect(plan.locator('.preview-paths')).toContainText(oldA);
  await expect(plan.locator('.preview-paths')).toContainText(oldB);
  await expect(plan.locator('.preview-paths')).not.toContainText(fresh);
  // Nothing has changed on disk yet.
  for (const f of [oldA, oldB, fresh, other]) expect(fs.existsSync(f)).toBe(true);

  const taskId = await first.confirm(plan);

  for (const view of [first, second]) {
    const task = view.task(taskId);
    await expect(task).toHaveAttribute('data-state', 'succeeded');
    await expect(task.locator('.task-progress')).toContainText('2 of 2 files');
    await expect(task.locator('.task-result')).toContainText('Moved 2 of 2 files');
    await expect(task.locator('progress')).toHaveAttribute('value', '2');
  }
  expect(polls).toEqual([]);

  // The matching files left the directory for the quarantine, with a manifest.
  expect(fs.existsSync(oldA)).toBe(false);
  expect(fs.existsSync(oldB)).toBe(false);
  expect(fs.readFileSync(fresh, 'utf8')).toBe('fresh');
  expect(fs.readFileSync(other, 'utf8')).toBe('not a tmp');
  const taskDir = path.join(server.dataDir, 'quarantine', `task-${taskId}`);
  const manifest = fs
    .readFileSync(path.join(taskDir, 'manifest.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(manifest.map((e) => e.original).sort()).toEqual([oldA, oldB].sort());
  for (const entry of manifest) {
    const stored = path.join(taskDir, entry.stored);
    expect(fs.readFileSync(stored, 'utf8')).toBe(entry.original === oldA ? 'aaaa' : 'bbbbbb');
  }
});

test('the task panel shows every state change as it happens', async ({ page, server }) => {
  // Enough files that the run takes a moment, so "running" is visible.
  for (let i = 0; i < 3000; i++) server.writeFile(`bulk/f${i}.tmp`, 'x', 9);
  const view = new ConsolePage(page);
  await view.open(server.url);
  // Record every state the panel shows, as the DOM changes.
  await page.evaluate(() => {
    (window as any).seenStates = [];
    new MutationObserver(() => {
      document.querySelectorAll('li.task').forEach((li) => {
        const s = li.getAttribute('data-state');
        const seen = (window as any).seenStates as string[];
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      });
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await view.send(`clean up *.tmp older than 7 days in ${path.join(server.filesDir, 'bulk')}`);
  await expect(view.lastPlan().locator('.preview-total')).toContainText('3000 files');
  await view.lastPlan().getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('li.task').first()).toHaveAttribute('data-state', 'succeeded');
  const seen = await page.evaluate(() => (window as any).seenStates as string[]);
  expect(seen[seen.length - 1]).toBe('succeeded');
  expect(seen).toContain('running');
  // States only move forward.
  const order = ['queued', 'running', 'succeeded'];
  for (let i = 1; i < seen.length; i++) {
    expect(order.indexOf(seen[i])).toBeGreaterThanOrEqual(order.indexOf(seen[i - 1]));
  }
  expect(fs.readdirSync(path.join(server.filesDir, 'bulk'))).toEqual([]);
});

test('cancelling a plan changes nothing', async ({ page, server }) => {
  const file = server.writeFile('x/old.tmp', 'x', 20);
  const view = new ConsolePage(page);
  await view.open(server.url);
  await view.send(`clean up *.tmp in ${path.dirname(file)}`);
  await view.lastPlan().getByRole('button', { name: 'Cancel' }).click();
  await expect(view.lastPlan().getByRole('status')).toHaveText('Cancelled. Nothing was changed.');
  await expect(view.tasks.locator('li.task')).toHaveCount(0);
  expect(fs.existsSync(file)).toBe(true);
});
