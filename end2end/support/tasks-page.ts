import { expect, Locator, Page } from '@playwright/test';

/** The Tasks page (`/tasks`): charts, filters, the history table and its actions. */
export class TasksPage {
  readonly history: Locator;
  readonly rows: Locator;
  readonly stateFilter: Locator;
  readonly workflowFilter: Locator;
  readonly search: Locator;
  readonly loadMore: Locator;
  readonly charts: Locator;
  readonly connection: Locator;
  readonly outcomes: Locator;

  constructor(readonly page: Page) {
    this.history = page.getByRole('region', { name: 'Task history' });
    this.rows = this.history.locator('tr.history-row');
    this.stateFilter = this.history.getByRole('combobox', { name: 'State' });
    this.workflowFilter = this.history.getByRole('combobox', { name: 'Workflow' });
    this.search = this.history.getByRole('searchbox', { name: 'Search' });
    this.loadMore = this.history.getByRole('button', { name: 'Load more' });
    this.charts = page.getByRole('region', { name: 'Charts' });
    this.connection = this.history.locator('.connection');
    this.outcomes = this.history.locator('.bulk-outcomes');
  }

  /** Opens `/tasks` with `query` (`?state=failed`), hydrated, live and loaded. */
  async open(url: string, query = ''): Promise<void> {
    await this.page.goto(`${url}/tasks${query}`);
    await this.waitUntilReady();
  }

  async waitUntilReady(): Promise<void> {
    await expect(this.page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(this.connection).toHaveAttribute('data-state', 'live');
    await expect(this.history.getByText('Loading tasks…')).toHaveCount(0);
  }

  row(id: number): Locator {
    return this.rows.and(this.page.locator(`[data-task-id="${id}"]`));
  }

  /** The ids shown, top to bottom. */
  async ids(): Promise<number[]> {
    const ids = await this.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task-id')));
    return ids.map(Number);
  }

  async select(id: number): Promise<void> {
    await this.row(id).getByRole('checkbox', { name: `Select task ${id}` }).check();
  }

  outcome(id: number): Locator {
    return this.outcomes.locator(`li[data-task-id="${id}"]`);
  }

  chart(name: string): Locator {
    return this.charts.getByRole('figure', { name });
  }
}

/** A task's own page (`/tasks/{id}`). */
export class TaskDetailPage {
  readonly detail: Locator;
  readonly state: Locator;
  readonly parameters: Locator;
  readonly timeline: Locator;
  readonly log: Locator;
  readonly result: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.detail = page.getByRole('region', { name: 'Task' });
    this.state = this.detail.locator('.detail-head .task-state');
    this.parameters = this.detail.getByRole('region', { name: 'Parameters' });
    this.timeline = this.detail.getByRole('region', { name: 'Timeline' }).locator('li.moment');
    this.log = this.detail.getByRole('region', { name: 'Log' }).locator('li.event');
    this.result = this.detail.locator('.task-result');
    this.error = this.detail.locator('.task-error');
  }

  async open(url: string, id: number): Promise<void> {
    await this.page.goto(`${url}/tasks/${id}`);
    await this.waitUntilShown(id);
  }

  /** Waits for the page of task `id`, hydrated and live. */
  async waitUntilShown(id: number): Promise<void> {
    await expect(this.page).toHaveURL(new RegExp(`/tasks/${id}$`));
    await expect(this.page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(this.detail.locator('.connection')).toHaveAttribute('data-state', 'live');
    await expect(this.detail.getByRole('heading', { name: `Task #${id}`, exact: true })).toBeVisible();
  }

  /** The id of the task shown, from the address. */
  id(): number {
    return Number(this.page.url().match(/\/tasks\/(\d+)$/)![1]);
  }

  parameter(name: string): Locator {
    return this.parameters.locator(`.parameter[data-name="${name}"] dd`);
  }

  moments(kind: string): Locator {
    return this.timeline.and(this.page.locator(`[data-kind="${kind}"]`));
  }

  button(name: string): Locator {
    return this.detail.getByRole('button', { name, exact: true });
  }
}
