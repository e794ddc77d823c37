import { test as base } from '@playwright/test';
import { TendServer } from './server';

/**
 * Every test gets its own running Tend server, disposed afterwards.
 * `test.use({ serverEnv: {...} })` starts it with extra environment.
 */
export const test = base.extend<{ serverEnv: Record<string, string>; server: TendServer }>({
  serverEnv: [{}, { option: true }],
  server: async ({ serverEnv }, use) => {
    const server = new TendServer({ ...serverEnv });
    await server.start();
    await use(server);
    await server.dispose();
  },
});

export { expect } from '@playwright/test';
