import * as fs from 'node:fs';
import * as path from 'node:path';
import { Locator } from '@playwright/test';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

/** Confirms a plan with steps; the ids of the tasks it queued, in order. */
async function confirmSteps(plan: Locator): Promise<number[]> {
  await plan.getByRole('button', { name: 'Confirm' }).click();
  const status = plan.getByRole('status');
  await expect(status).toContainText(/tasks (#\d+, )+#\d+ are queued/);
  return [...(await status.textContent())!.matchAll(/#(\d+)/g)].map((m) => Number(m[1]));
}

test.describe('one command, two steps', () => {
  test('"back up …, then clean up …" plans both steps on one card and runs them in order', async ({ page, server }) => {
    const photos = path.join(server.filesDir, 'photos');
    const repo = path.join(server.filesDir, 'nas', 'photos');
    const oldTmp = server.writeFile('photos/scan.tmp', 'scratch', 10);
    const freshTmp = server.writeFile('photos/today.tmp', 'scratch', 0);
    const kept = server.writeFile('photos/cat.jpg', 'meow', 10);
    const view = new ConsolePage(page);
    await view.open(server.url);

    await view.send(`back up ${photos} to ${repo}, then clean up *.tmp older than 7 days in ${photos}`);
    const plan = view.lastPlan();
    const steps = plan.locator('li.plan-step');
    await expect(steps).toHaveCount(2);
    await expect(steps.nth(0)).toHaveAttribute('data-workflow', 'backup');
    await expect(steps.nth(1)).toHaveAttribute('data-workflow', 'cleanup');
    // Both previews, on one card with one Confirm.
    await expect(steps.nth(1).locator('.preview-total')).toContainText('1 file');
    await expect(steps.nth(1)).toContainText('scan.tmp');
    await expect(plan.getByRole('button', { name: 'Confirm' })).toHaveCount(1);

    const [backup, cleanup] = await confirmSteps(plan);
    await expect(view.task(backup)).toHaveAttribute('data-state', 'succeeded');
    await expect(view.task(cleanup)).toHaveAttribute('data-state', 'succeeded');
    await expect(view.task(cleanup).locator('.task-summary')).toContainText('Clean up *.tmp');
    expect(fs.existsSync(oldTmp)).toBe(false);
    expect(fs.existsSync(freshTmp)).toBe(true);
    expect(fs.existsSync(kept)).toBe(true);
    expect(fs.existsSync(path.join(repo, 'config'))).toBe(true);
  });
});

test.describe('a task that waits', () => {
  // No workers: nothing starts, so the second step waits for certain.
  test.use({ serverEnv: { TEND_WORKERS: '0' } });

  test('shows what it waits for, and is not run when that task is cancelled', async ({ page, server }) => {
    const docs = path.join(server.filesDir, 'docs');
    server.writeFile('docs/a.txt', 'a', 0);
    server.writeFile('docs/b.tmp', 'b', 30);
    const view = new ConsolePage(page);
    await view.open(server.url);

    await view.send(`mirror ${docs} to ${path.join(server.filesDir, 'usb')} and then clean up *.tmp in ${docs}`);
    const [mirror, cleanup] = await confirmSteps(view.lastPlan());
    await expect(view.task(mirror)).toHaveAttribute('data-state', 'queued');
    await expect(view.task(cleanup)).toHaveAttribute('data-state', 'waiting');
    await expect(view.task(cleanup).locator('.task-waiting')).toHaveText(`Waiting for #${mirror} to succeed.`);

    await view.task(mirror).getByRole('button', { name: 'Cancel task' }).click();
    await expect(view.task(mirror)).toHaveAttribute('data-state', 'cancelled');
    await expect(view.task(cleanup)).toHaveAttribute('data-state', 'cancelled');
    await expect(view.task(cleanup).locator('.task-result')).toHaveText(`Not run: task #${mirror} was cancelled.`);
    expect(fs.existsSync(path.join(docs, 'b.tmp'))).toBe(true);
  });
});

test('the priority is shown on the plan, changed with Edit, and carried by the task', async ({ page, server }) => {
  server.writeFile('scratch/a.tmp', 't', 40);
  const scratch = path.join(server.filesDir, 'scratch');
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`clean up *.tmp in ${scratch}`);
  const first = page.getByRole('article', { name: 'Plan' }).first();
  await expect(view.parameter(first, 'priority')).toHaveText('Normal');
  await first.getByRole('button', { name: 'Edit' }).click();
  const form = first.getByRole('form', { name: 'Edit plan' });
  await form.getByRole('combobox', { name: /Priority/ }).selectOption('urgent');
  await form.getByRole('button', { name: 'Update plan' }).click();
  await expect(first.getByRole('status')).toContainText('the new plan is below');

  const edited = view.lastPlan();
  await expect(view.parameter(edited, 'priority')).toContainText('Urgent');
  const id = await view.confirm(edited);
  await expect(view.task(id).locator('.task-priority')).toHaveText('urgent');
  await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded');
});
