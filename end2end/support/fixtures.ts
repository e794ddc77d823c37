import { test as base } from '@playwright/test';
import { TendServer } from './server';

/** Every test gets its own running Tend server, disposed afterwards. */
export const test = base.extend<{ server: TendServer }>({
  server: async ({}, use) => {
    const server = new TendServer();
    await server.start();
    await use(server);
    await server.dispose();
  },
});

export { expect } from '@playwright/test';
