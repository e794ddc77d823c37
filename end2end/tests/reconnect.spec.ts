import { ConsolePage } from '../support/console-page';
import { expect, test } from '../support/fixtures';

test('the task panel reconnects by itself after the server restarts', async ({ page, server }) => {
  server.writeFile('r/one.tmp', '1', 3);
  const view = new ConsolePage(page);
  await view.open(server.url);

  await page.evaluate(() => ((window as any).sameDocument = true));
  await server.kill();
  await expect(view.connection).toHaveAttribute('data-state', 'reconnecting');
  await server.start();
  await expect(view.connection).toHaveAttribute('data-state', 'live', { timeout: 20_000 });

  // Still the same page (no reload), and it works.
  expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);
  await view.send(`clean up *.tmp in ${server.filesDir}/r`);
  await view.lastPlan().getByRole('button', { name: 'Confirm' }).click();
  await expect(view.tasks.locator('li.task').first()).toHaveAttribute('data-state', 'succeeded');
});
