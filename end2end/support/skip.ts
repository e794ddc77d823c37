import * as fs from 'node:fs';
import { test } from '@playwright/test';

/**
 * Skips the running test when `missing` is set (it says what is missing and
 * how to get it). Under CI=true the test fails instead, since CI must
 * provide everything; elsewhere the skip is written to $TEND_SKIP_LOG, which
 * scripts/test lists at the end.
 */
export function skipIfMissing(what: string, missing: string | undefined): void {
  if (!missing) return;
  if (process.env.CI === 'true') {
    throw new Error(`${what} cannot run: ${missing}. CI must provide it.`);
  }
  const log = process.env.TEND_SKIP_LOG;
  if (log) fs.appendFileSync(log, `${what}: ${missing}\n`);
  test.skip(true, missing);
}
