import * as path from 'node:path';
import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';
import { RulesPage } from '../support/rules-page';

// How Tend reads a command, in the browser, with the real default model
// (multilingual-e5-small, trained classifier): "Try it" on the Rules page,
// and the question Tend asks when two readings are close.

test('Try it shows how a sentence is read and why, and Add as example teaches it', async ({ page, server }) => {
  const rules = new RulesPage(page);
  await rules.open(server.url);
  const tryIt = rules.section('Try it');
  const sentence = tryIt.getByRole('textbox', { name: 'Sentence to try' });

  await sentence.fill('back up /srv/photos to /mnt/nas every night at 2am, keep 14');
  await tryIt.getByRole('button', { name: 'Read it' }).click();
  const reading = tryIt.locator('dl.reading');
  await expect(reading.locator('.reading-text')).toHaveText('back up /srv/photos to /mnt/nas every night at 2am, keep 14');
  await expect(reading).toHaveAttribute('data-intent', 'backup');
  await expect(reading.locator('.reading-why')).toContainText('the model');
  await expect(reading.locator('.reading-runner-up')).toBeVisible();
  await expect(reading.locator('.reading-nearest li')).toHaveCount(5);
  await expect(reading.locator('.reading-slots')).toContainText('"schedule": "0 2 * * *"');
  await expect(reading.locator('.reading-slots')).toContainText('"keep_last": 14');

  // A made-up verb: teach it as a cleanup from here, and it is read so at once.
  const odd = 'florp /srv/scratch';
  await sentence.fill(odd);
  await tryIt.getByRole('button', { name: 'Read it' }).click();
  await expect(reading.locator('.reading-text')).toHaveText(odd);
  await expect(reading).not.toHaveAttribute('data-intent', 'cleanup');
  await tryIt.getByRole('combobox', { name: 'Intent' }).selectOption('cleanup');
  await tryIt.getByRole('button', { name: 'Add as example' }).click();
  await expect(rules.notice).toContainText(`Learned "${odd}" as cleanup.`);
  await expect(reading).toHaveAttribute('data-intent', 'cleanup');
  await expect(reading.locator('.reading-why')).toContainText("an admin's example");
  await expect(reading.locator('.reading-slots')).toContainText('/srv/scratch');
  await expect(rules.rules('Example phrases')).toContainText(odd);

  // Nothing was planned or run.
  const tasks = await (await fetch(`${server.url}/api/tasks`)).json();
  expect(tasks).toEqual([]);
});

test('a close call between two readings is asked, and the button picked plans it', async ({ page, server }) => {
  const docs = server.writeFile('one/a.txt', 'a', 0);
  const nas = path.join(server.filesDir, 'two');
  // The same made-up words taught once as a backup and once as a restore
  // (the model reads each path by its last part): a true close call.
  for (const [intent, text] of [
    ['backup', 'zorble /srv/one over to /srv/two'],
    ['restore', 'zorble /mnt/one over to /mnt/two'],
  ]) {
    const r = await fetch(`${server.url}/api/rules/examples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent, text }),
    });
    expect(r.status).toBe(201);
  }

  const view = new ConsolePage(page);
  await view.open(server.url);
  await view.send(`zorble ${path.dirname(docs)} over to ${nas}`);
  const question = view.lastReply();
  await expect(question).toContainText('Which did you mean:');
  const choices = question.getByRole('group', { name: 'Which did you mean?' });
  const backup = choices.getByRole('button', { name: `Back up ${path.dirname(docs)} to ${nas}` });
  await expect(backup).toBeVisible();
  await expect(choices.getByRole('button', { name: /^Restore from / })).toBeVisible();
  expect(await view.page.getByRole('article', { name: 'Plan' }).count()).toBe(0);

  await backup.click();
  // One pick: the buttons are spent, the pick shows as what was said.
  await expect(choices.getByRole('button').first()).toBeDisabled();
  const plan = view.lastPlan();
  await expect(plan).toHaveAttribute('data-workflow', 'backup');
  await expect(plan).toContainText(nas);
  const id = await view.confirm(plan);
  await expect(view.task(id)).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
});
