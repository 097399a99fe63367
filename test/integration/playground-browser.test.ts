// The Playground in real headless Chromium against a real server and the Pinpoint simulator: a pasted
// token runs a query and a live subscription, survives opening another tab, and never reaches storage.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import { connectPinpoint, type PinpointSimulator, seedCompany, startSimulator } from '../helpers/pinpoint.js';
import { TestServer, type TestTeam } from '../helpers/server.js';

// GraphiQL renders the variables editor, then the headers editor, in one tool section.
const HEADERS = '.graphiql-editor-tool > .graphiql-editor:nth-child(2)';
const SCREENSHOTS = path.resolve('test-output');

if (chromiumMissing) console.warn(chromiumMissing);

let sim: PinpointSimulator;
let t: TestServer;
let team: TestTeam;
let browser: LaunchedBrowser;
let page: Page;

beforeAll(async () => {
  if (chromiumMissing) return;
  sim = await startSimulator();
  t = await TestServer.start({ env: { PINPOINT_BASE_URL: sim.baseUrlTemplate } });
  team = await t.createTeam();
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await sim?.close();
});

/** Replaces the whole text of a CodeMirror editor the way a user pasting would. */
async function fill(selector: string, text: string): Promise<void> {
  await page.locator(`${selector} .CodeMirror`).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function response(): Promise<string> {
  return page
    .locator('.graphiql-response .CodeMirror')
    .first()
    .evaluate((el) => {
      return (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue();
    });
}

async function run(): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
}

/** Every value the page could have stored: localStorage, sessionStorage and IndexedDB, as one text. */
async function everythingStored(): Promise<string> {
  return page.evaluate(async () => {
    // Runs in the page; the project compiles without DOM types, hence the shape spelled out here.
    const browser = globalThis as unknown as {
      localStorage: Record<string, string>;
      sessionStorage: Record<string, string>;
      indexedDB: { databases(): Promise<{ name?: string }[]> };
    };
    const databases = await browser.indexedDB.databases();
    return JSON.stringify([
      Object.entries({ ...browser.localStorage }),
      Object.entries({ ...browser.sessionStorage }),
      databases.map((database) => database.name),
    ]);
  });
}

const QUERY = 'query Me {\n  viewer {\n    user {\n      email\n    }\n  }\n}';
const SUBSCRIPTION =
  'subscription Status {\n  integrationStatusChanged(provider: PINPOINT) {\n    status\n  }\n}';

describe.skipIf(chromiumMissing !== null)('the Playground in headless Chromium', () => {
  it('runs a pasted token’s query and a live subscription that survives another tab, storing no token', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const posted: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST') posted.push(req.postData() ?? '');
    });
    await page.goto(`${t.url}/graphql`, { waitUntil: 'load' });
    await page.locator('.graphiql-execute-button').waitFor();

    await fill(HEADERS, `{"Authorization": "Bearer ${team.adminToken}"}`);
    await fill('.graphiql-query-editor', QUERY);
    await run();
    await expect.poll(response, { timeout: 15_000 }).toContain(team.adminToken ? '@example.com' : '');

    // Run right after the edit: the subscription must still go over the WebSocket.
    await fill('.graphiql-query-editor', SUBSCRIPTION);
    await run();
    await expect.poll(response, { timeout: 15_000 }).toContain('NOT_CONNECTED');

    // Another tab, which starts with the token entered above, runs a query while the subscription lives on.
    await page.locator('.graphiql-tab-add').click();
    await fill('.graphiql-query-editor', QUERY);
    await run();
    await expect.poll(response, { timeout: 15_000 }).toContain('@example.com');

    await connectPinpoint(t, team, seedCompany(sim));
    await page.locator('.graphiql-tab-button').first().click();
    await expect.poll(response, { timeout: 15_000 }).toContain('"CONNECTED"');
    const events = JSON.parse(await response()) as { subscription: string; events: { n: number }[] };
    expect(events.subscription).toBe('running');
    expect(events.events.map((e) => e.n)).toEqual([2, 1]);
    expect(events.events[0]).toMatchObject({ data: { integrationStatusChanged: { status: 'CONNECTED' } } });

    expect(posted.some((body) => body.includes('integrationStatusChanged'))).toBe(false);
    await page.waitForTimeout(700); // GraphiQL stores tabs and history after a 500 ms debounce.
    const stored = await everythingStored();
    expect(stored).toContain('viewer'); // tabs and history are kept...
    expect(stored).not.toContain(team.adminToken); // ...without the token

    // Only the visible switch lets the token reach disk, and turning it off takes it away again.
    const remember = page.getByLabel('Remember token on this device');
    await remember.check();
    await expect.poll(everythingStored).toContain(team.adminToken);
    await remember.uncheck();
    await expect.poll(everythingStored).not.toContain(team.adminToken);
    expect(errors).toEqual([]);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'playground.png') });
  }, 90_000);
});
