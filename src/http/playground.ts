// The GraphQL Playground: GET /graphql from a browser gets a GraphiQL page whose every script and style
// is served by this router (no CDN, so it works offline); every other request passes on to Apollo.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import express from 'express';

export interface PlaygroundOptions {
  /** Where the GraphQL endpoint (HTTP and WebSocket) lives, relative to where the router is mounted. */
  readonly path?: string;
  /** Shown as the IDE's logo. */
  readonly title?: string;
  /** The query a first-time visitor sees. */
  readonly defaultQuery?: string;
}

const DEFAULT_QUERY = `# Paste your token into the Headers tab below: {"Authorization": "Bearer <your token>"}
{
  viewer {
    user {
      email
      role
    }
    team {
      name
    }
  }
}
`;
const DEFAULT_HEADERS = '{\n  "Authorization": "Bearer <paste your token>"\n}';
const HINT =
  'Paste your token into Headers as {"Authorization": "Bearer <token>"}: it is sent with queries and ' +
  'mutations, and as connectionParams for subscriptions. New tabs reuse it. It stays in this page ' +
  '(never in localStorage, tabs or history) unless you tick the switch:';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Content hash: the cache-busting query in asset URLs and the ETag. */
  readonly hash: string;
  gzipped?: Buffer;
}

const requireHere = createRequire(import.meta.url);

/** A file inside an npm package; resolved via package.json because these packages do not export their UMD builds. */
function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(requireHere.resolve(`${pkg}/package.json`)), file);
}

function ownFile(file: string): string {
  return fileURLToPath(new URL(`./playground-assets/${file}`, import.meta.url));
}

// Script order matters: the UMD builds read React and ReactDOM from globals, and our client reads GraphiQL
// and the PlaygroundStorage / PlaygroundLive globals of the two scripts before it.
const SCRIPTS = [
  'react.production.min.js',
  'react-dom.production.min.js',
  'graphiql.min.js',
  'playground-storage.js',
  'playground-live.js',
  'playground-client.js',
];
const STYLES = ['graphiql.min.css', 'playground.css'];

function loadAssets(): Map<string, Asset> {
  const files: Record<string, [string, string]> = {
    'react.production.min.js': [packageFile('react', 'umd/react.production.min.js'), JS],
    'react-dom.production.min.js': [packageFile('react-dom', 'umd/react-dom.production.min.js'), JS],
    'graphiql.min.js': [packageFile('graphiql', 'graphiql.min.js'), JS],
    'graphiql.min.css': [packageFile('graphiql', 'graphiql.min.css'), CSS],
    'playground-storage.js': [ownFile('playground-storage.js'), JS],
    'playground-live.js': [ownFile('playground-live.js'), JS],
    'playground-client.js': [ownFile('playground-client.js'), JS],
    'playground.css': [ownFile('playground.css'), CSS],
  };
  const assets = new Map<string, Asset>();
  for (const [name, [file, contentType]] of Object.entries(files)) {
    // Read once at startup (about 1.5 MB): a missing package fails at boot rather than in a browser.
    const body = readFileSync(file);
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
    assets.set(name, { body, contentType, hash });
  }
  return assets;
}

function normalizePath(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end the <script> element it sits in. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

// Only a plain host[:port] goes into the CSP; anything else in the Host header could add directives.
const SAFE_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

function contentSecurityPolicy(host: string | undefined): string {
  // 'self' covers same-origin WebSockets in CSP 3, but older browsers need the ws/wss origin spelled out.
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    // GraphiQL and CodeMirror set inline styles; its fonts and icons are data: URIs inside its CSS.
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The browser asked for a page rather than a GraphQL response. */
function wantsHtml(req: express.Request): boolean {
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

interface PageSettings {
  readonly endpoint: string;
  readonly assetPrefix: string;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly options: PlaygroundOptions;
}

/** The GraphiQL page for a router mounted at `base`: its config as JSON, then the assets in order. */
function renderPage(settings: PageSettings, base: string): string {
  const { endpoint, assetPrefix, assets, options } = settings;
  const assetUrl = (name: string): string => `${base}${assetPrefix}/${name}?v=${assets.get(name)!.hash}`;
  const config = {
    endpoint: `${base}${endpoint}`,
    title: options.title ?? 'GraphQL Playground',
    defaultQuery: options.defaultQuery ?? DEFAULT_QUERY,
    defaultHeaders: DEFAULT_HEADERS,
    hint: HINT,
  };
  const styles = STYLES.map((name) => `<link rel="stylesheet" href="${escapeHtml(assetUrl(name))}">`);
  const scripts = SCRIPTS.map((name) => `<script src="${escapeHtml(assetUrl(name))}"></script>`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(config.title)}</title>`,
    ...styles,
    '</head>',
    '<body>',
    '<div id="graphiql">Loading the GraphQL playground…</div>',
    '<noscript>The GraphQL playground needs JavaScript.</noscript>',
    `<script id="playground-config" type="application/json">${jsonForScript(config)}</script>`,
    ...scripts,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Serves one asset with an immutable cache lifetime, gzipped when the client accepts it. */
function assetHandler(assets: ReadonlyMap<string, Asset>): express.RequestHandler<{ file: string }> {
  return (req, res) => {
    const asset = assets.get(req.params.file);
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    const gzip = req.acceptsEncodings(['gzip', 'identity']) === 'gzip';
    if (gzip) asset.gzipped ??= gzipSync(asset.body);
    res.vary('Accept-Encoding').set({
      'Content-Type': asset.contentType,
      // URLs carry the content hash, so a changed file gets a new URL and this copy never goes stale.
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: `"${asset.hash}${gzip ? '-gz' : ''}"`,
      'X-Content-Type-Options': 'nosniff',
    });
    if (gzip) res.set('Content-Encoding', 'gzip');
    // res.send answers 304 itself when If-None-Match matches the ETag set above.
    res.send(gzip ? asset.gzipped : asset.body);
  };
}

/**
 * Mount before Apollo's middleware: `app.use(playgroundRouter())`, then `app.use('/graphql', ...)`.
 * Serves the page at `GET <path>` when the client prefers HTML, and its assets at
 * `GET <path>/_playground/<file>`; calls next() for everything else.
 */
export function playgroundRouter(options: PlaygroundOptions = {}): express.Router {
  const endpoint = normalizePath(options.path ?? '/graphql');
  const assetPrefix = `${endpoint}/_playground`;
  const assets = loadAssets();
  const settings: PageSettings = { endpoint, assetPrefix, assets, options };
  const router = express.Router();

  router.get(endpoint, (req, res, next) => {
    // The same URL answers GraphQL GET requests, so caches must key on Accept.
    res.vary('Accept');
    if (!wantsHtml(req)) {
      next();
      return;
    }
    res
      .status(200)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': contentSecurityPolicy(req.get('host')),
        // The page is cheap to render and its CSP names the request's host: never share it.
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      })
      .send(renderPage(settings, req.baseUrl));
  });
  router.get(`${assetPrefix}/:file`, assetHandler(assets));
  return router;
}
