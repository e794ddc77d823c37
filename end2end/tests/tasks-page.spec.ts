import * as fs from 'node:fs';
import * as path from 'node:path';
import { TendApi } from '../support/api';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { TendServer } from '../support/server';
import { TaskDetailPage, TasksPage } from '../support/tasks-page';

/**
 * A mirror of `name` whose source turned into a file after its preview: it
 * fails for good. The source is then fixed by hand, so a retry succeeds.
 */
async function failedMirror(api: TendApi, server: TendServer, name: string) {
  const source = path.join(server.filesDir, name);
  const destination = path.join(server.filesDir, `${name}-mirror`);
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, 'a.txt'), name);
  const plan = await api.plan(`mirror ${source} to ${destination}`);
  expect(plan.workflow).toBe('sync');
  fs.rmSync(source, { recursive: true });
  fs.writeFileSync(source, 'not a directory');
  const failed = await api.confirm(plan.plan_id);
  await api.waitFor(failed, 'failed');
  fs.rmSync(source);
  fs.mkdirSync(source);
  fs.writeFileSync(path.join(source, 'a.txt'), name);
  return { failed, destination };
}

/** `count` cleanups of an empty directory, all done; their ids, oldest first. */
async function quickTasks(api: TendApi, server: TendServer, count: number): Promise<number[]> {
  const empty = path.join(server.filesDir, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(await api.run(`clean up *.tmp in ${empty}`));
  for (const id of ids) await api.waitFor(id, 'succeeded');
  return ids;
}

test('the Tasks page lists the whole history newest first, filters it in its URL and pages with Load more', async ({ page, server }) => {
  test.setTimeout(120_000);
  const api = new TendApi(server.url);
  const view = new TasksPage(page);
  await view.open(server.url);
  await expect(view.history).toContainText('No tasks match these filters.');
  await expect(view.charts).toContainText('No tasks ended in the last 7 days.');

  // Tasks made while the page is open are pushed to it.
  const { failed } = await failedMirror(api, server, 'docs');
  await expect(view.row(failed)).toHaveAttribute('data-state', 'failed');
  const quick = await quickTasks(api, server, 55);
  const newest = quick[quick.length - 1];
  await expect(view.row(newest)).toHaveAttribute('data-state', 'succeeded');

  // Opened afresh: the newest 50, then the rest.
  await page.reload();
  await view.waitUntilReady();
  await expect(view.rows).toHaveCount(50);
  const firstPage = await view.ids();
  expect(firstPage[0]).toBe(newest);
  expect(firstPage).toEqual([...firstPage].sort((a, b) => b - a));
  await expect(view.row(newest).locator('.col-files')).toHaveText('0 / 0');
  await view.loadMore.click();
  await expect(view.rows).toHaveCount(56);
  await expect(view.loadMore).toHaveCount(0);
  await expect(view.row(failed).locator('.col-state')).toHaveText('failed');
  // Every row leads to its task's page.
  await expect(view.row(failed).getByRole('link', { name: `#${failed}` })).toHaveAttribute('href', `/tasks/${failed}`);

  // The charts count what ended.
  const perHour = view.chart('Tasks ended per hour');
  await expect(perHour.locator('rect.bar.succeeded').first()).toBeAttached();
  await expect(perHour.locator('rect.bar.failed').first()).toBeAttached();
  await expect(view.chart('Wait in the queue per day')).toBeVisible();
  await expect(view.chart('Bytes moved per day')).toBeVisible();

  // A state filter, held in the URL: it survives a reload.
  await view.stateFilter.selectOption('failed');
  await expect(page).toHaveURL(/\/tasks\?state=failed$/);
  await expect(view.rows).toHaveCount(1);
  await expect(view.row(failed)).toBeVisible();
  await page.reload();
  await view.waitUntilReady();
  await expect(view.stateFilter).toHaveValue('failed');
  await expect(view.rows).toHaveCount(1);
  await expect(view.row(failed)).toBeVisible();

  // Live under a filter: a new failure joins, a new success does not.
  const other = await failedMirror(api, server, 'music');
  const [quiet] = await quickTasks(api, server, 1);
  await expect(view.row(other.failed)).toBeVisible();
  await expect(view.rows).toHaveCount(2);
  await expect(view.row(quiet)).toHaveCount(0);

  // Workflow and text filters.
  await view.stateFilter.selectOption('');
  await view.workflowFilter.selectOption('sync');
  await expect(page).toHaveURL(/\/tasks\?workflow=sync$/);
  await expect(view.rows).toHaveCount(2);
  await view.search.fill('music');
  await view.search.press('Enter');
  await expect(page).toHaveURL(/\/tasks\?workflow=sync&q=music$/);
  await expect(view.rows).toHaveCount(1);
  await expect(view.row(other.failed)).toBeVisible();
});

test("a task's page shows its parameters, timeline and log, and undoes a cleanup right there", async ({ page, server }) => {
  const a = server.writeFile('scratch/a.tmp', 'first', 10);
  const b = server.writeFile('scratch/sub/b.tmp', 'second', 10);
  const scratch = path.join(server.filesDir, 'scratch');
  const console = new ConsolePage(page);
  await console.open(server.url);
  await console.send(`clean up *.tmp in ${scratch}`);
  const id = await console.confirm();
  await expect(console.task(id)).toHaveAttribute('data-state', 'succeeded');

  // The task panel's number leads to the task's page.
  await console.task(id).getByRole('link', { name: `#${id}` }).click();
  const detail = new TaskDetailPage(page);
  await detail.waitUntilShown(id);
  await expect(detail.state).toHaveText('succeeded');
  await expect(detail.parameter('directory')).toHaveText(scratch);
  await expect(detail.parameter('patterns')).toHaveText('*.tmp');
  await expect(detail.parameter('priority')).toHaveText('normal');
  await expect(detail.parameters.locator('.parameter[data-name="workflow"]')).toHaveCount(0);
  await expect(detail.result).toContainText('Moved 2 of 2 files');

  await expect(detail.timeline.first()).toContainText('Queued (normal priority)');
  await expect(detail.moments('started')).toContainText('Attempt 1 started on');
  await expect(detail.moments('ended')).toContainText('Attempt 1 succeeded after');
  // The log, newest line first.
  await expect(detail.log.first()).toContainText('running → succeeded');
  await expect(detail.log.last()).toContainText('created → queued');

  await expect(detail.button('Retry')).toHaveCount(0);
  await expect(detail.button('Cancel task')).toHaveCount(0);
  await detail.button('Undo').click();
  const undo = page.getByRole('article', { name: 'Plan' });
  await expect(undo).toHaveAttribute('data-workflow', 'undo_cleanup');
  await expect(undo.locator('.preview-total')).toContainText('2 files');
  await undo.getByRole('button', { name: 'Confirm' }).click();
  await expect(undo.getByRole('status')).toContainText(/task #\d+ is queued/);
  await expect.poll(() => fs.existsSync(a) && fs.existsSync(b)).toBe(true);
  expect(fs.readFileSync(a, 'utf8')).toBe('first');
  expect(fs.readFileSync(b, 'utf8')).toBe('second');
});

test("a running task's page is live: its rate, a task waiting on it, and Cancel", async ({ page, server }) => {
  // A sparse 32 GiB disk image: copying it takes far longer than the test.
  const source = path.join(server.filesDir, 'vm');
  fs.mkdirSync(source);
  const image = path.join(source, 'disk.img');
  fs.closeSync(fs.openSync(image, 'w'));
  fs.truncateSync(image, 32 * 2 ** 30);
  const api = new TendApi(server.url);
  const mirror = await api.run(`mirror ${source} to ${path.join(server.filesDir, 'usb', 'vm')}`);

  const detail = new TaskDetailPage(page);
  await detail.open(server.url, mirror);
  await expect(detail.state).toHaveText('running');
  await expect(detail.detail.locator('.task-current')).toContainText('disk.img');
  await expect(detail.detail.locator('.task-rate')).toContainText(/B\/s · /);
  await expect(detail.moments('started')).toContainText('still running');

  // A cleanup of the same directory waits for the mirror.
  const cleanup = await api.run(`clean up *.tmp in ${source}`);
  await api.waitFor(cleanup, 'waiting');

  await detail.button('Cancel task').click();
  await expect(detail.state).toHaveText('cancelled');
  await expect(detail.button('Cancel task')).toHaveCount(0);
  await expect(detail.button('Retry')).toBeVisible();
  await expect(detail.moments('ended')).toContainText('Attempt 1 cancelled');

  // The cleanup ran once the mirror let go; its wait is on its timeline.
  await api.waitFor(cleanup, 'succeeded');
  await detail.open(server.url, cleanup);
  await expect(detail.moments('waiting')).toHaveText([
    /queued → waiting/,
    new RegExp(`waiting for #${mirror} \\(`),
    /waiting → queued/,
  ]);
  await expect(detail.moments('started')).toContainText('Attempt 1 started on');
});

test('a failed task is retried from its page, which then shows the new task', async ({ page, server }) => {
  const api = new TendApi(server.url);
  const { failed, destination } = await failedMirror(api, server, 'photos');
  const detail = new TaskDetailPage(page);
  await detail.open(server.url, failed);
  await expect(detail.state).toHaveText('failed');
  await expect(detail.error).toContainText('is not a directory');
  await expect(detail.moments('ended')).toContainText('Attempt 1 failed');
  await expect(detail.button('Undo')).toHaveCount(0);

  await detail.button('Retry').click();
  await page.waitForURL((url) => /\/tasks\/\d+$/.test(url.pathname) && !url.pathname.endsWith(`/${failed}`));
  const again = detail.id();
  await detail.waitUntilShown(again);
  await expect(detail.state).toHaveText('succeeded');
  await expect(detail.parameter('retry_of')).toHaveText(`#${failed}`);
  expect(fs.readFileSync(path.join(destination, 'a.txt'), 'utf8')).toBe('photos');
  // The failed task stays as it ended.
  expect((await api.task(failed)).state).toBe('failed');
});

test('selected tasks are retried together from the table, each refusal shown with its task', async ({ page, server }) => {
  const api = new TendApi(server.url);
  const { failed, destination } = await failedMirror(api, server, 'notes');
  const [done] = await quickTasks(api, server, 1);
  const view = new TasksPage(page);
  await view.open(server.url);

  await view.select(failed);
  await view.select(done);
  await expect(view.history.locator('.selected-count')).toHaveText('2 tasks selected');
  await view.history.getByRole('button', { name: 'Retry selected' }).click();
  await expect(view.outcome(failed)).toHaveClass(/\bok\b/);
  await expect(view.outcome(failed)).toContainText(/runs again as #\d+/);
  await expect(view.outcome(done)).toHaveClass(/refused/);
  await expect(view.outcome(done)).not.toHaveText(`#${done}: `);
  const again = Number((await view.outcome(failed).textContent())!.match(/as #(\d+)/)![1]);

  // The new task joins the table and its end is pushed there.
  await expect(view.row(again)).toHaveAttribute('data-state', 'succeeded');
  expect(fs.readFileSync(path.join(destination, 'a.txt'), 'utf8')).toBe('notes');
  await expect(view.history.locator('.selected-count')).toHaveText('');
});
