// The playground over real HTTP on a bare Express app: the page and its same-origin assets, the fall-through
// to the GraphQL handler, and the page's own fetcher run against real HTTP and graphql-ws servers.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import vm from 'node:vm';
import express from 'express';
// graphql-ws loads graphql's CommonJS build while Vite resolves a bare 'graphql' to its .mjs build; the
// schema must come from the same copy, or graphql rejects it as coming "from another module or realm".
import {
  type DocumentNode,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  graphql,
  parse,
} from 'graphql/index.js';
import { useServer } from 'graphql-ws/use/ws';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { playgroundRouter } from '../../src/http/playground.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface Context {
  authorization?: string | undefined;
}

type Fetcher = (
  params: { query: string; variables?: Record<string, unknown>; operationName?: string },
  options: { headers?: Record<string, unknown>; documentAST?: DocumentNode },
) => Promise<unknown> | AsyncIterableIterator<unknown>;

/** The part of the DOM's Storage the page's scripts use (the project compiles without DOM types). */
interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  clear(): void;
  readonly length: number;
}

interface Rendered {
  type: unknown;
  props: {
    fetcher: Fetcher;
    defaultQuery: string;
    defaultHeaders: string;
    showPersistHeadersSettings: boolean;
    storage: StorageLike & { setRemember(value: boolean): void };
  };
}

let tickerStopped: () => void = () => {};

const schema = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, Context>({
    name: 'Query',
    fields: {
      whoami: { type: GraphQLString, resolve: (_root, _args, context) => context.authorization ?? null },
    },
  }),
  subscription: new GraphQLObjectType<unknown, Context>({
    name: 'Subscription',
    fields: {
      countdown: {
        type: GraphQLInt,
        args: { from: { type: new GraphQLNonNull(GraphQLInt) } },
        async *subscribe(_root, args: { from: number }) {
          for (let n = args.from; n > 0; n--) yield { countdown: n };
        },
      },
      whoami: {
        type: GraphQLString,
        async *subscribe(_root, _args, context) {
          yield { whoami: context.authorization ?? null };
        },
      },
      ticks: {
        type: GraphQLInt,
        async *subscribe() {
          try {
            for (let n = 1; ; n++) {
              yield { ticks: n };
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
          } finally {
            tickerStopped();
          }
        },
      },
    },
  }),
});

let server: Server;
let wss: WebSocketServer;
let baseUrl: string;
const connectionParams: unknown[] = [];

beforeAll(async () => {
  const app = express();
  app.use(playgroundRouter());
  // Stand-ins for Apollo: whatever the playground passes on must reach them untouched.
  app.get('/graphql', (_req, res) => {
    res.json({ handledBy: 'graphql' });
  });
  app.post('/graphql', express.json(), async (req, res) => {
    res.json(
      await graphql({
        schema,
        source: req.body.query,
        variableValues: req.body.variables,
        operationName: req.body.operationName,
        contextValue: { authorization: req.get('authorization') },
      }),
    );
  });
  server = createServer(app);
  wss = new WebSocketServer({ server, path: '/graphql' });
  useServer<{ authorization?: string }>(
    {
      schema,
      onConnect: (ctx) => {
        connectionParams.push(ctx.connectionParams);
        return ctx.connectionParams?.authorization !== 'Bearer rejected';
      },
      context: (ctx): Context => ({ authorization: ctx.connectionParams?.authorization }),
    },
    wss,
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function getPage(): Promise<string> {
  const response = await request(server).get('/graphql').set('Accept', BROWSER_ACCEPT).expect(200);
  return response.text;
}

function attributeValues(html: string, tag: 'script' | 'link', attribute: 'src' | 'href'): string[] {
  const pattern = new RegExp(`<${tag}\\b[^>]*\\s${attribute}="([^"]*)"`, 'g');
  return [...html.matchAll(pattern)].map((match) => match[1]!.replace(/&#38;/g, '&'));
}

/** A localStorage stand-in for the page's scripts, readable by the test. */
function memoryStorage(): StorageLike & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getItem: (key: string) => entries.get(key) ?? null,
    setItem: (key: string, value: string) => void entries.set(key, String(value)),
    removeItem: (key: string) => void entries.delete(key),
    key: (index: number) => [...entries.keys()][index] ?? null,
    clear: () => entries.clear(),
    get length() {
      return entries.size;
    },
  };
}

/**
 * Runs the page's own scripts as the browser would, in order, with React stubbed so the GraphiQL
 * props can be read. (test/integration/playground-browser.test.ts runs them in real Chromium.)
 */
async function renderPage(disk = memoryStorage()): Promise<Rendered> {
  const html = await getPage();
  const config = /<script id="playground-config" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  const ownScripts = attributeValues(html, 'script', 'src').filter((src) => src.includes('/playground-'));
  let rendered: Rendered | undefined;
  const context = vm.createContext({
    document: {
      getElementById: (id: string) => (id === 'playground-config' ? { textContent: config } : {}),
      addEventListener: () => {},
      querySelector: () => null,
      querySelectorAll: () => [],
    },
    location: { href: `${baseUrl}/graphql` },
    localStorage: disk,
    setTimeout,
    URL,
    fetch,
    WebSocket,
    crypto: globalThis.crypto,
    React: { createElement: (type: unknown, props: unknown) => ({ type, props }) },
    ReactDOM: { createRoot: () => ({ render: (element: Rendered) => (rendered = element) }) },
    GraphiQL: { Logo: 'Logo', Footer: 'Footer' },
  });
  for (const src of ownScripts) vm.runInContext((await request(server).get(src).expect(200)).text, context);
  return rendered!;
}

/** A subscription's results as the response pane last showed them, oldest first, without the numbering. */
async function streamed(results: unknown): Promise<unknown[]> {
  const snapshots = (await collect(results as AsyncIterableIterator<unknown>)) as {
    events: { n: number; receivedAt: string }[];
  }[];
  return (snapshots.at(-1)?.events ?? []).map(({ n: _n, receivedAt: _at, ...result }) => result).reverse();
}

/** Results cross a vm realm; a JSON round trip makes them plain objects of this one. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

async function collect(results: AsyncIterableIterator<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const result of results) all.push(plain(result));
  return all;
}

describe('GET /graphql from a browser', () => {
  it('serves a page whose every script and stylesheet is a same-origin asset answering 200', async () => {
    const html = await getPage();
    const scripts = attributeValues(html, 'script', 'src');
    const styles = attributeValues(html, 'link', 'href');
    expect(scripts).toHaveLength(6);
    expect(styles).toHaveLength(2);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);

    for (const [urls, contentType] of [
      [scripts, /^text\/javascript/],
      [styles, /^text\/css/],
    ] as const) {
      for (const url of urls) {
        expect(url).toMatch(/^\/graphql\/_playground\/[\w.-]+\?v=[\w-]+$/);
        const asset = await request(server).get(url).expect(200);
        expect(asset.headers['content-type']).toMatch(contentType);
        expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(asset.text.length).toBeGreaterThan(100);
      }
    }
  });

  it('sets a Content-Security-Policy that only lets this server supply scripts and connections', async () => {
    const response = await request(server).get('/graphql').set('Accept', BROWSER_ACCEPT).expect(200);
    const csp = String(response.headers['content-security-policy']);
    const host = new URL(baseUrl).host;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.vary).toMatch(/Accept/);
  });

  it('leaves a Host header that is not a plain host out of the policy', async () => {
    const response = await request(server)
      .get('/graphql')
      .set('Accept', BROWSER_ACCEPT)
      .set('Host', 'evil.test;script-src *')
      .expect(200);
    expect(response.headers['content-security-policy']).toContain("connect-src 'self';");
  });

  it('opens with the token hint in the headers editor and the viewer query in the query editor', async () => {
    const { props } = await renderPage();
    expect(JSON.parse(props.defaultHeaders)).toEqual({ Authorization: 'Bearer <paste your token>' });
    expect(
      props.defaultQuery
        .replace(/^#.*\n/gm, '')
        .replace(/\s+/g, ' ')
        .trim(),
    ).toBe('{ viewer { user { email role } team { name } } }');
    expect(props.showPersistHeadersSettings).toBe(false);
  });

  it('keeps headers out of localStorage (tabs and history included) unless the user opts in', async () => {
    const disk = memoryStorage();
    disk.setItem('graphiql:queries', JSON.stringify({ queries: [{ query: '{a}', headers: 'Bearer old' }] }));
    const { props } = await renderPage(disk);
    // A token an earlier version of the page left behind is cleaned at once.
    expect(JSON.stringify([...disk.entries])).not.toContain('Bearer old');
    const tabs = JSON.stringify({
      tabs: [{ id: 't1', query: '{ viewer { team { name } } }', headers: 'Bearer t0k' }],
    });
    props.storage.setItem('graphiql:tabState', tabs);
    props.storage.setItem('graphiql:headers', '{"Authorization": "Bearer t0k"}');
    expect(JSON.stringify([...disk.entries])).toContain('viewer');
    expect(JSON.stringify([...disk.entries])).not.toContain('t0k');
    // The page itself still has them for this session.
    expect(props.storage.getItem('graphiql:tabState')).toContain('t0k');

    props.storage.setRemember(true);
    expect(disk.getItem('graphiql:headers')).toContain('t0k');
    props.storage.setRemember(false);
    expect(JSON.stringify([...disk.entries])).not.toContain('t0k');
  });
});

describe('requests the playground passes on', () => {
  it('passes a GET that asks for JSON through to the GraphQL handler', async () => {
    const response = await request(server)
      .get('/graphql')
      .query({ query: '{ whoami }' })
      .set('Accept', 'application/graphql-response+json, application/json')
      .expect(200);
    expect(response.body).toEqual({ handledBy: 'graphql' });
  });

  it('passes a GET without an Accept preference through to the GraphQL handler', async () => {
    const response = await request(server).get('/graphql').set('Accept', '*/*').expect(200);
    expect(response.body).toEqual({ handledBy: 'graphql' });
  });

  it('passes a POST through to the GraphQL handler', async () => {
    const response = await request(server)
      .post('/graphql')
      .set('Accept', BROWSER_ACCEPT)
      .send({ query: '{ whoami }' })
      .expect(200);
    expect(response.body).toEqual({ data: { whoami: null } });
  });

  it('answers 404 for an asset it does not serve', async () => {
    await request(server).get('/graphql/_playground/secrets.json').expect(404);
  });
});

describe('asset delivery', () => {
  it('serves gzip to browsers that accept it and 304 to a cached copy', async () => {
    const html = await getPage();
    const url = attributeValues(html, 'script', 'src').find((src) => src.includes('graphiql.min.js'))!;
    const plainAsset = await request(server).get(url).set('Accept-Encoding', 'identity').expect(200);
    const gzipped = await request(server).get(url).set('Accept-Encoding', 'gzip').expect(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBeLessThan(
      Number(plainAsset.headers['content-length']),
    );
    // supertest inflates the body, so the two must match byte for byte.
    expect(gzipped.text).toBe(plainAsset.text);

    await request(server)
      .get(url)
      .set('Accept-Encoding', 'identity')
      .set('If-None-Match', plainAsset.headers.etag!)
      .expect(304);
  });
});

describe("the page's fetcher", () => {
  it('runs queries over HTTP POST with the Authorization header from the headers editor', async () => {
    const { props } = await renderPage();
    const query = '{ whoami }';
    const result = await props.fetcher(
      { query },
      { headers: { Authorization: 'Bearer good' }, documentAST: parse(query) },
    );
    expect(plain(result)).toEqual({ data: { whoami: 'Bearer good' } });
  });

  it('leaves out the unfilled placeholder so anonymous requests such as introspection stay anonymous', async () => {
    const { props } = await renderPage();
    const query = '{ whoami }';
    const result = await props.fetcher(
      { query },
      { headers: JSON.parse(props.defaultHeaders), documentAST: parse(query) },
    );
    expect(plain(result)).toEqual({ data: { whoami: null } });
  });

  it('streams a subscription over graphql-transport-ws with the token in connectionParams', async () => {
    const { props } = await renderPage();
    const query = 'subscription Countdown($from: Int!) { countdown(from: $from) }';
    const results = props.fetcher(
      { query, variables: { from: 3 }, operationName: 'Countdown' },
      { headers: { authorization: 'Bearer good' }, documentAST: parse(query) },
    ) as AsyncIterableIterator<unknown>;
    expect(await streamed(results)).toEqual([
      { data: { countdown: 3 } },
      { data: { countdown: 2 } },
      { data: { countdown: 1 } },
    ]);
    expect(connectionParams.at(-1)).toEqual({ authorization: 'Bearer good' });
  });

  it('picks the selected operation of a document to decide between HTTP and WebSocket', async () => {
    const { props } = await renderPage();
    const query = 'query Me { whoami } subscription Live { whoami }';
    const headers = { Authorization: 'Bearer good' };
    const http = await props.fetcher({ query, operationName: 'Me' }, { headers, documentAST: parse(query) });
    expect(plain(http)).toEqual({ data: { whoami: 'Bearer good' } });
    const live = props.fetcher({ query, operationName: 'Live' }, { headers, documentAST: parse(query) });
    expect(await streamed(live)).toEqual([{ data: { whoami: 'Bearer good' } }]);
  });

  it('sends a subscription over the WebSocket even when GraphiQL still holds the document before the edit', async () => {
    const { props } = await renderPage();
    const before = '# a comment with subscription in it\nquery Me { whoami }';
    const query = '# "query" in a comment\nsubscription Live { countdown(from: 1) }';
    // Run pressed within GraphiQL's parse debounce: a stale AST and the old operation name.
    const live = props.fetcher({ query, operationName: 'Me' }, { headers: {}, documentAST: parse(before) });
    expect(typeof (live as AsyncIterableIterator<unknown>)[Symbol.asyncIterator]).toBe('function');
    expect(await streamed(live)).toEqual([{ data: { countdown: 1 } }]);
  });

  it('reports a WebSocket connection the server refuses as an error result', async () => {
    const { props } = await renderPage();
    const query = 'subscription { whoami }';
    const results = props.fetcher(
      { query },
      { headers: { Authorization: 'Bearer rejected' }, documentAST: parse(query) },
    ) as AsyncIterableIterator<unknown>;
    const all = await streamed(results);
    expect(all).toHaveLength(1);
    expect(JSON.stringify(all[0])).toContain('refused the WebSocket connection (4403');
  });

  it('reports GraphQL errors of a subscription and then ends it', async () => {
    const { props } = await renderPage();
    const query = 'subscription { nope }';
    const results = props.fetcher({ query }, { headers: {}, documentAST: parse(query) });
    const all = await streamed(results);
    expect(all).toHaveLength(1);
    expect(JSON.stringify(all[0])).toContain('Cannot query field \\"nope\\"');
  });

  it('stops the operation on the server when GraphiQL stops the subscription', async () => {
    const { props } = await renderPage();
    const stopped = new Promise<void>((resolve) => {
      tickerStopped = resolve;
    });
    const query = 'subscription { ticks }';
    const results = props.fetcher(
      { query },
      { headers: { Authorization: 'Bearer good' }, documentAST: parse(query) },
    ) as AsyncIterableIterator<unknown>;
    expect(plain((await results.next()).value)).toMatchObject({ events: [{ n: 1, data: { ticks: 1 } }] });
    // GraphiQL's stop button asks the iterable for its iterator again and calls return() on it.
    await results[Symbol.asyncIterator]().return!();
    await stopped;
    expect(await results.next()).toMatchObject({ done: true });
  });
});
