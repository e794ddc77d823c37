import { Browser, expect, Locator, Page } from '@playwright/test';

/** The console page: transcript, command input, plan cards and task panel. */
export class ConsolePage {
  readonly command: Locator;
  readonly tasks: Locator;
  readonly connection: Locator;

  constructor(readonly page: Page) {
    this.command = page.getByRole('textbox', { name: 'Command' });
    this.tasks = page.getByRole('region', { name: 'Tasks' });
    this.connection = this.tasks.locator('.connection');
  }

  /**
   * A console at `url` in a browser context of its own (another person's
   * browser: no shared cookies or storage), hydrated and live. Close it with
   * `view.close()`.
   */
  static async openInNewBrowser(browser: Browser, url: string): Promise<ConsolePage> {
    const view = new ConsolePage(await (await browser.newContext()).newPage());
    await view.open(url);
    return view;
  }

  /** Closes this console's browser context. */
  async close(): Promise<void> {
    await this.page.context().close();
  }

  /** Opens the page and waits until it is hydrated and live. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(this.connection).toHaveAttribute('data-state', 'live');
  }

  async send(text: string): Promise<void> {
    await this.command.fill(text);
    await this.command.press('Enter');
  }

  /** The newest plan card. */
  lastPlan(): Locator {
    return this.page.getByRole('article', { name: 'Plan' }).last();
  }

  /** Confirms `plan` (the newest by default) and returns the id of the task it queued. */
  async confirm(plan: Locator = this.lastPlan()): Promise<number> {
    await plan.getByRole('button', { name: 'Confirm' }).click();
    const status = plan.getByRole('status');
    await expect(status).toContainText(/task #\d+ is queued/);
    return Number((await status.textContent())!.match(/#(\d+)/)![1]);
  }

  parameter(plan: Locator, name: string): Locator {
    return plan.locator(`.parameter[data-name="${name}"] dd`);
  }

  lastError(): Locator {
    return this.page.locator('.entry.error').last();
  }

  lastReply(): Locator {
    return this.page.locator('.entry.reply').last();
  }

  task(id: number): Locator {
    return this.tasks.locator(`li.task[data-task-id="${id}"]`);
  }
}
