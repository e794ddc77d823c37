import { TendServer } from './support/server';

/**
 * Starts one server before any test, so that it embeds every example
 * phrase and shares the cache (support/server.ts) outside any test's
 * 60 s: in a debug build on a slow 2-core machine that first start took
 * 46 s, and the first test that paid for it ran out of time.
 */
export default async function globalSetup(): Promise<void> {
  const server = new TendServer();
  try {
    await server.start();
  } finally {
    await server.dispose();
  }
}
