import { expect, test } from '@playwright/test';
import { ConsolePage } from '../support/console-page';
import { TendServer } from '../support/server';

test('the task panel reconnects by itself after the server restarts', async ({ page }) => {
  const server = new TendServer();
  try {
    await server.start();
    const dir = server.filesDir;
    server.writeFile('r/one.tmp', '1', 3);
    const view = new ConsolePage(page);
    await view.open(server.url);

    await server.kill();
    await expect(view.connection).toHaveAttribute('data-state', 'reconnecting');
    await server.start();
    await expect(view.connection).toHaveAttribute('data-state', 'live', { timeout: 20_000 });

    // The page is still the same one (no reload), and it works.
    await view.send(`clean up *.tmp in ${dir}/r`);
    await view.lastPlan().getByRole('button', { name: 'Confirm' }).click();
    await expect(view.tasks.locator('li.task').first()).toHaveAttribute('data-state', 'succeeded');
  } finally {
    await server.dispose();
  }
});
