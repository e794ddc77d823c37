/**
 * Tend's JSON API driven straight from a test, for making many tasks
 * quickly (no browser in between): the same calls the console makes.
 */
export class TendApi {
  /** `token`: the admin token, sent as a script sends it, where the server has one. */
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    }
    return answer;
  }

  /** Sends a console command and returns the plan it made (fails on a reply). */
  async plan(text: string): Promise<{ plan_id: string; workflow: string }> {
    const answer = await this.call('POST', '/api/commands', { text, session: 'e2e-api' });
    if (answer.kind !== 'plan') {
      throw new Error(`"${text}" made no plan: ${JSON.stringify(answer)}`);
    }
    return answer;
  }

  /** Confirms a plan and returns the id of the task it queued. */
  async confirm(planId: string): Promise<number> {
    const answer = await this.call('POST', `/api/plans/${planId}/confirm`);
    return answer.task_id ?? answer.task_ids[0];
  }

  /** Plans and confirms `text`: the queued task's id. */
  async run(text: string): Promise<number> {
    return this.confirm((await this.plan(text)).plan_id);
  }

  async task(id: number): Promise<any> {
    return this.call('GET', `/api/tasks/${id}`);
  }

  /** Waits until task `id` is in `state`, failing after `timeoutMs`. */
  async waitFor(id: number, state: string, timeoutMs = 30_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.task(id);
      if (task.state === state) return task;
      if (Date.now() > until) {
        throw new Error(`task #${id} is ${task.state}, not ${state}, after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Adds a user (admins only); the user, with a made-up password when none is given. */
  async addUser(name: string, role: string, password?: string): Promise<{ id: number; password?: string }> {
    return this.call('POST', '/api/users', { name, role, password });
  }
}
