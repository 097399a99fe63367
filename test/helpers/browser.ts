// Real headless Chromium (the Debian `chromium` package) driven by playwright-core, for browser tests:
// a fresh profile per launch, nothing downloaded. Tests skip with `chromiumMissing` when it is absent.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. */
export const chromiumMissing: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped. Install it with ` +
    '`apt-get install -y chromium` (.ci/run does so when it can) or set CHROMIUM_PATH.';

// Quiet, offline and reproducible: no background fetches, updates or sync from a shared machine.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a throwaway --user-data-dir that close() deletes. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  if (chromiumMissing) throw new Error(chromiumMissing);
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'bff-chromium-'));
  // Playwright passes the profile as --user-data-dir itself (it refuses that flag in args).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
