// How the benchmarks start the product: the one place to change when its entry point changes. Each
// product is its own process (test/bench/support/product-process.ts), compiled like `npm start`: it
// runs the esbuild build in dist/ without tsx, whose loader alone (a second V8 isolate on Node 20)
// adds ~80 MB of RSS and transpiles every module at start.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { freePort } from '../../helpers/server-process.js';
import { type Helper, spawnHelper } from './ipc.js';

export interface ProductStats {
  /** SQL statements drizzle ran since the process started (its logger sees every query it sends). */
  readonly statements: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** User + system CPU time the process has used, ms. */
  readonly cpuMs: number;
}

export interface Product {
  readonly url: string;
  readonly driver: 'pglite' | 'postgres';
  /** Spawn → `ready` message (open, migrate, listen), as the parent saw it. */
  readonly startMs: number;
  readonly helper: Helper;
  createTeam(): Promise<{ teamId: string; token: string }>;
  stats(options?: { gc?: boolean }): Promise<ProductStats>;
  syncCounts(campaignUuid: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface ProductOptions {
  /** postgres://… or omitted for embedded PGlite in a fresh temporary directory (the default kind). */
  readonly databaseUrl?: string;
  readonly env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

let compiled: string | undefined;

/**
 * Builds dist/ (`npm run build`, as `npm start` does) once per benchmark run, and compiles the product
 * process script and its IPC helper next to it, importing the built modules instead of src/.
 */
function compiledProductProcess(): string {
  if (compiled) return compiled;
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'build'], {
    stdio: 'inherit',
  });
  const dir = path.resolve('test-output/bench');
  mkdirSync(dir, { recursive: true });
  const dist = pathToFileURL(path.resolve('dist')).href;
  for (const name of ['product-process', 'ipc']) {
    const source = readFileSync(path.resolve(`test/bench/support/${name}.ts`), 'utf8');
    const { code } = transformSync(source, { loader: 'ts', format: 'esm', target: 'node20' });
    const rewritten = code
      .replaceAll(/(["'])\.\.\/\.\.\/\.\.\/src\//g, `$1${dist}/`)
      .replaceAll(/(["'])\.\/ipc\.js\1/g, '$1./ipc.mjs$1');
    writeFileSync(path.join(dir, `${name}.mjs`), rewritten);
  }
  compiled = path.join(dir, 'product-process.mjs');
  return compiled;
}

export async function startProduct(options: ProductOptions = {}): Promise<Product> {
  const script = compiledProductProcess();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bff-bench-'));
  const port = await freePort();
  const startedAt = performance.now();
  const helper = spawnHelper(script, {
    tsx: false,
    nodeArgs: ['--expose-gc', '--enable-source-maps', ...(options.nodeArgs ?? [])],
    env: {
      NODE_ENV: 'production',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: options.databaseUrl ?? `file:${path.join(dataDir, 'pglite')}`,
      SEED_DEMO_TEAM: 'false',
      WORKER_CONCURRENCY: '0',
      // The per-token limiter runs (its cost is measured) but never refuses a load generator.
      RATE_LIMIT_REQUESTS: '1000000000',
      ...options.env,
    },
  });
  const ready = await helper.event<{ url: string; driver: 'pglite' | 'postgres' }>('ready');
  const startMs = performance.now() - startedAt;
  return {
    url: ready.url,
    driver: ready.driver,
    startMs,
    helper,
    createTeam: () => helper.call('createTeam'),
    stats: (o = {}) => helper.call('stats', o),
    syncCounts: (campaignUuid) => helper.call('syncCounts', campaignUuid),
    async stop() {
      await helper.call('stop').catch(() => {});
      await helper.exited(30_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a GraphQL operation; throws on transport or GraphQL errors. */
export async function gql<T>(
  url: string,
  token: string | null,
  query: string,
  variables: object = {},
): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}
