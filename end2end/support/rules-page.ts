import { expect, Locator, Page } from '@playwright/test';

/** The rules editor: one section per kind of rule, each with its list and form. */
export class RulesPage {
  readonly notice: Locator;
  readonly refusal: Locator;

  constructor(readonly page: Page) {
    this.notice = page.getByRole('status');
    this.refusal = page.getByRole('alert');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(`${url}/rules`);
    await expect(this.page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(this.section('Location aliases')).toBeVisible();
  }

  section(name: string): Locator {
    return this.page.getByRole('region', { name });
  }

  async addLocation(name: string, path: string): Promise<void> {
    const s = this.section('Location aliases');
    await s.getByRole('textbox', { name: 'Name' }).fill(name);
    await s.getByRole('textbox', { name: 'Path' }).fill(path);
    await s.getByRole('button', { name: 'Save' }).click();
  }

  async addPatterns(name: string, globs: string): Promise<void> {
    const s = this.section('Pattern aliases');
    await s.getByRole('textbox', { name: 'Name' }).fill(name);
    await s.getByRole('textbox', { name: 'Patterns' }).fill(globs);
    await s.getByRole('button', { name: 'Save' }).click();
  }

  async addPhrase(pattern: string, intent: string): Promise<void> {
    const s = this.section('Phrase rules');
    await s.getByRole('textbox', { name: 'Pattern' }).fill(pattern);
    await s.getByRole('combobox', { name: 'Intent' }).selectOption(intent);
    await s.getByRole('button', { name: 'Add' }).click();
  }

  rules(section: string): Locator {
    return this.section(section).locator('li.rule');
  }
}
