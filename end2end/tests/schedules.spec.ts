import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('a nightly backup becomes a schedule every browser sees, gets a new time, and can be stopped', async ({ page, server, browser }) => {
  server.writeFile('photos/beach.jpg', 'sand and sea', 3);
  const photos = path.join(server.filesDir, 'photos');
  const repo = path.join(server.filesDir, 'nas', 'photos-backup');
  const view = new ConsolePage(page);
  await view.open(server.url);

  await view.send(`back up ${photos} to ${repo} every night at 2am, keep 14`);
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'backup');
  await expect(view.parameter(plan, 'schedule')).toContainText('every day at 02:00 (next run');
  await plan.getByRole('button', { name: 'Confirm' }).click();
  const status = plan.getByRole('status');
  await expect(status).toContainText(/Scheduled: schedule #\d+ runs every day at 02:00/);
  const id = Number((await status.textContent())!.match(/#(\d+)/)![1]);

  // Nothing ran: no task, one schedule with its next run.
  const schedules = page.getByRole('region', { name: 'Schedules' });
  const row = schedules.locator(`li.schedule[data-schedule-id="${id}"]`);
  await expect(row.locator('.schedule-when')).toHaveText('every day at 02:00');
  await expect(row.locator('.schedule-next')).toContainText('next run');
  await expect(view.tasks.locator('li.task')).toHaveCount(0);

  // A second browser sees it from its first snapshot.
  const other = await browser.newPage();
  const otherView = new ConsolePage(other);
  await otherView.open(server.url);
  const otherRow = other.getByRole('region', { name: 'Schedules' }).locator(`li.schedule[data-schedule-id="${id}"]`);
  await expect(otherRow).toBeVisible();

  // A time Tend cannot read is refused where it was typed, and changes nothing.
  await row.getByRole('button', { name: 'Change time' }).click();
  const when = row.getByRole('textbox', { name: 'When it runs' });
  await expect(when).toHaveValue('every day at 02:00');
  await when.fill('whenever the moon is full');
  await row.getByRole('button', { name: 'Save time' }).click();
  await expect(row.getByRole('alert')).toContainText('is not a schedule Tend understands');
  await expect(otherRow.locator('.schedule-when')).toHaveText('every day at 02:00');

  // A new time in words: both browsers show it, and so does the server.
  await when.fill('Sundays at 3:30');
  await row.getByRole('button', { name: 'Save time' }).click();
  await expect(row.locator('.schedule-when')).toHaveText('every Sunday at 03:30');
  await expect(otherRow.locator('.schedule-when')).toHaveText('every Sunday at 03:30');
  await expect(row.getByRole('textbox', { name: 'When it runs' })).toHaveCount(0);
  const moved = await (await fetch(`${server.url}/api/schedules/${id}`)).json();
  expect(moved.cron).toBe('30 3 * * 0');

  // Moved in words at the other browser's console: the answer names the old
  // time, and both lists show the new one.
  await otherView.send(`move schedule ${id} to weekdays at 6pm`);
  await expect(otherView.lastReply()).toContainText(`Schedule #${id} `);
  await expect(otherView.lastReply()).toContainText('it ran every Sunday at 03:30');
  await expect(otherView.lastReply()).toContainText('now runs on weekdays at 18:00');
  await expect(row.locator('.schedule-when')).toHaveText('on weekdays at 18:00');
  await expect(otherRow.locator('.schedule-when')).toHaveText('on weekdays at 18:00');
  const reworded = await (await fetch(`${server.url}/api/schedules/${id}`)).json();
  expect(reworded.cron).toBe('0 18 * * 1-5');

  // Stopped in one, gone from both, and stopped on the server.
  await row.getByRole('button', { name: 'Stop schedule' }).click();
  await expect(row).toHaveCount(0);
  await expect(otherRow).toHaveCount(0);
  const stored = await (await fetch(`${server.url}/api/schedules/${id}`)).json();
  expect(stored.active).toBe(false);

  // Asked in words, the status mentions no active schedule any more, and
  // "stop schedule" without a number says there is none to stop.
  await view.send('stop schedule');
  await expect(view.lastReply()).toContainText('There are no schedules to stop.');
  await other.close();
});
