// CORS in real headless Chromium: a page served from another origin calls the API with a bearer
// token (a preflighted request) and opens a graphql-ws socket; CORS_ORIGINS decides both.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, type LaunchedBrowser, launchBrowser } from '../helpers/browser.js';
import { TestServer, type TestTeam } from '../helpers/server.js';

if (chromiumMissing) console.warn(chromiumMissing);

/** What the page's script saw: the API's answer, or the error the browser gave it. */
type FetchOutcome = { ok: true; status: number; body: unknown } | { ok: false; error: string };
type SocketOutcome = 'acknowledged' | 'refused';

describe.skipIf(chromiumMissing !== null)('a page on another origin, in Chromium', () => {
  let page: Server;
  let pageOrigin: string;
  let allowing: TestServer;
  let refusing: TestServer;
  let allowingTeam: TestTeam;
  let refusingTeam: TestTeam;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>web app</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    allowing = await TestServer.start({ env: { CORS_ORIGINS: `https://app.example.com,${pageOrigin}` } });
    refusing = await TestServer.start({ env: { CORS_ORIGINS: 'https://app.example.com' } });
    allowingTeam = await allowing.createTeam();
    refusingTeam = await refusing.createTeam();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await allowing?.stop();
    await refusing?.stop();
    await new Promise((resolve) => page?.close(resolve));
  });

  async function fromPage<T>(
    script: (args: { url: string; token: string }) => Promise<T>,
    url: string,
    token: string,
  ) {
    const tab = await browser.context.newPage();
    try {
      await tab.goto(`${pageOrigin}/`);
      return await tab.evaluate(script, { url, token });
    } finally {
      await tab.close();
    }
  }

  const fetchViewer = ({ url, token }: { url: string; token: string }): Promise<FetchOutcome> =>
    fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { user { email } } }' }),
    }).then(
      async (res) => ({ ok: true as const, status: res.status, body: await res.json() }),
      (error: unknown) => ({ ok: false as const, error: String(error) }),
    );

  const openSocket = ({ url, token }: { url: string; token: string }): Promise<SocketOutcome> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, 'graphql-transport-ws');
      ws.onopen = () =>
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      ws.onmessage = (event) => {
        if (JSON.parse(String(event.data)).type === 'connection_ack') resolve('acknowledged');
        ws.close();
      };
      ws.onerror = () => resolve('refused');
      ws.onclose = () => resolve('refused');
    });

  it('lets an allowed origin call the API with an Authorization header', async () => {
    const outcome = await fromPage(fetchViewer, `${allowing.url}/graphql`, allowingTeam.adminToken);
    expect(outcome).toMatchObject({ ok: true, status: 200, body: { data: { viewer: { user: {} } } } });
  });

  it('has the browser block the same call from an origin not in CORS_ORIGINS', async () => {
    const outcome = await fromPage(fetchViewer, `${refusing.url}/graphql`, refusingTeam.adminToken);
    expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/Failed to fetch/) });
  });

  it('accepts a WebSocket from an allowed origin and refuses one from another', async () => {
    expect(await fromPage(openSocket, allowing.wsUrl, allowingTeam.adminToken)).toBe('acknowledged');
    expect(await fromPage(openSocket, refusing.wsUrl, refusingTeam.adminToken)).toBe('refused');
  });
});
