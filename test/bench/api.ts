// Benchmark: the read path against references started in the same run. Bare Apollo Server 5 +
// Express 5 on `{ __typename }`, stock Apollo serving the dashboard shape from memory, and the
// product (own process) on PostgreSQL (BENCH_DATABASE_URL) and PGlite: viewer and the dashboard
// (support/dashboard.ts). Load: autocannon in a separate process, rounds alternating between targets.
// Run: node --import tsx test/bench/api.ts [rounds] [seconds] [connections]
// The product runs twice on PostgreSQL: as configured, and with READ_CACHE_MB=0 (every read from the
// database), labelled postgres-uncached.
// Env: BENCH_WARMUP=<seconds per target, default 3>, BENCH_TARGETS=name,… (a subset), BENCH_CPU_PROF=<dir> (profile the PostgreSQL product, or
// PGlite when PostgreSQL is not set up).
import { freePort } from '../helpers/server-process.js';
import {
  CAMPAIGNS,
  CONTACTS_PER_CAMPAIGN,
  DASHBOARD_QUERY,
  seedContact,
  shapeOf,
  TYPENAME_QUERY,
  VIEWER_QUERY,
} from './support/dashboard.js';
import { type Helper, pct, spawnHelper } from './support/ipc.js';
import type { LoadResult } from './support/load-runner.js';
import { gql, type Product, startProduct } from './support/product.js';

const ROUNDS = Number(process.argv[2] ?? process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.argv[3] ?? process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.argv[4] ?? process.env.BENCH_CONNECTIONS ?? 20);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3); // per target, unrecorded (JIT, pools)
const SAMPLE_REQUESTS = 20; // sequential requests whose statements are counted
const pgUrl = process.env.BENCH_DATABASE_URL;
const only = process.env.BENCH_TARGETS?.split(',');
const profileDir = process.env.BENCH_CPU_PROF;

interface Target {
  readonly name: string;
  readonly url: string;
  readonly query: string;
  readonly token?: string;
  readonly product?: Product;
  readonly results: LoadResult[];
  peakRss: number;
}

async function startReference(kind: 'bare' | 'dashboard'): Promise<{ url: string; helper: Helper }> {
  const port = await freePort();
  const helper = spawnHelper('test/bench/support/reference-server.ts', {
    env: { REFERENCE_KIND: kind, PORT: String(port), NODE_ENV: 'production' },
  });
  const { url } = await helper.event<{ url: string }>('ready');
  return { url, helper };
}

/** 20 campaigns × 10 contacts through the product's own mutations; one contact in 3 overridden. */
async function seed(url: string, token: string): Promise<void> {
  for (let c = 0; c < CAMPAIGNS; c++) {
    const created = await gql<{ createCampaign: { id?: string } }>(
      url,
      token,
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on Campaign { id } } }`,
      { input: { name: `Campaign ${c}`, channel: 'EMAIL', syncAs: 'APPLICATION' } },
    );
    if (!created.createCampaign.id) throw new Error(`createCampaign: ${JSON.stringify(created)}`);
    const contacts = Array.from({ length: CONTACTS_PER_CAMPAIGN }, (_, k) =>
      seedContact(c * CONTACTS_PER_CAMPAIGN + k),
    );
    const added = await gql<{ addContactsToCampaign: { campaignContacts?: { id: string }[] } }>(
      url,
      token,
      `mutation($id: ID!, $contacts: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $contacts) { ... on AddContactsToCampaignPayload { campaignContacts { id } } } }`,
      { id: created.createCampaign.id, contacts },
    );
    const ids = (added.addContactsToCampaign.campaignContacts ?? []).map((x) => x.id);
    if (ids.length !== CONTACTS_PER_CAMPAIGN) throw new Error(`added ${ids.length} contacts`);
    for (const [k, id] of ids.entries()) {
      if ((c * CONTACTS_PER_CAMPAIGN + k) % 3 !== 0) continue;
      const set = await gql<{ setSyncOverride: { __typename: string } }>(
        url,
        token,
        `mutation($id: ID!) { setSyncOverride(campaignContactId: $id, input: { syncAs: DO_NOT_SYNC }) { __typename } }`,
        { id },
      );
      if (set.setSyncOverride.__typename !== 'CampaignContact') throw new Error(JSON.stringify(set));
    }
  }
}

/** Statements per request: the product's counter before and after sequential requests. */
async function statementsPerRequest(p: Product, token: string, query: string): Promise<number> {
  const before = (await p.stats()).statements;
  for (let i = 0; i < SAMPLE_REQUESTS; i++) await gql(p.url, token, query);
  return ((await p.stats()).statements - before) / SAMPLE_REQUESTS;
}

interface ProductReport {
  readonly label: string;
  readonly product: Product;
  /** The first dashboard read (nothing cached yet), then the mean of repeated reads. */
  readonly firstDashboardStatements: number;
  readonly dashboardStatements: number;
  readonly viewerStatements: number;
  readonly idleRss: number;
  readonly dashboardBytes: number;
}

async function prepareProduct(
  label: string,
  databaseUrl: string | undefined,
  env: Record<string, string>,
  profile: boolean,
) {
  const product = await startProduct({
    ...(databaseUrl ? { databaseUrl } : {}),
    env,
    ...(profile && profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  const { token } = await product.createTeam();
  await seed(product.url, token);
  const firstDashboardStatements = (await product.stats()).statements;
  const dashboard = await gql<unknown>(product.url, token, DASHBOARD_QUERY);
  const firstDashboard = (await product.stats()).statements - firstDashboardStatements;
  const viewerStatements = await statementsPerRequest(product, token, VIEWER_QUERY);
  const dashboardStatements = await statementsPerRequest(product, token, DASHBOARD_QUERY);
  const idleRss = (await product.stats({ gc: true })).rss;
  const report: ProductReport = {
    label,
    product,
    viewerStatements,
    firstDashboardStatements: firstDashboard,
    dashboardStatements,
    idleRss,
    dashboardBytes: JSON.stringify({ data: dashboard }).length,
  };
  return { report, token, dashboard };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const median = (xs: number[]) => pct(xs, 50);

async function main(): Promise<void> {
  const bare = await startReference('bare');
  const stock = await startReference('dashboard');
  const stockDashboard = await gql<unknown>(stock.url, null, DASHBOARD_QUERY);
  const targets: Target[] = [
    { name: 'bare-apollo', url: bare.url, query: TYPENAME_QUERY, results: [], peakRss: 0 },
    { name: 'stock-dashboard', url: stock.url, query: DASHBOARD_QUERY, results: [], peakRss: 0 },
  ];
  const products: ProductReport[] = [];
  // The product as configured (answers to repeated team-data reads cached), and on PostgreSQL also
  // with the read cache off: what every read costs when the data changed since the last one.
  const dbs: [string, string | undefined, Record<string, string>][] = [];
  if (pgUrl) dbs.push(['postgres', pgUrl, {}], ['postgres-uncached', pgUrl, { READ_CACHE_MB: '0' }]);
  else console.log('BENCH_DATABASE_URL is not set: skipping the product on PostgreSQL.');
  dbs.push(['pglite', undefined, {}]);
  for (const [label, url, env] of dbs) {
    if (only && !only.some((name) => name.endsWith(`-${label}`))) continue;
    const { report, token, dashboard } = await prepareProduct(label, url, env, products.length === 0);
    const same = [...shapeOf(dashboard)].sort().join() === [...shapeOf(stockDashboard)].sort().join();
    if (!same) throw new Error(`the ${label} dashboard's shape differs from the reference's`);
    products.push(report);
    const p = report.product;
    targets.push(
      {
        name: `viewer-${label}`,
        url: p.url,
        query: VIEWER_QUERY,
        token,
        product: p,
        results: [],
        peakRss: 0,
      },
      {
        name: `dashboard-${label}`,
        url: p.url,
        query: DASHBOARD_QUERY,
        token,
        product: p,
        results: [],
        peakRss: 0,
      },
    );
  }
  const active = targets.filter((t) => !only || only.includes(t.name));
  const loader = spawnHelper('test/bench/support/load-runner.ts');
  const load = (target: Target, seconds: number) =>
    loader.call<LoadResult>('run', {
      url: target.url,
      body: JSON.stringify({ query: target.query }),
      ...(target.token ? { token: target.token } : {}),
      connections: CONNECTIONS,
      seconds,
    });
  if (WARMUP_SECONDS > 0) for (const target of active) await load(target, WARMUP_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of active) {
      const sampler = target.product ? sampleRss(target) : null;
      const result = await load(target, SECONDS);
      await sampler?.stop();
      if (result.non2xx || result.errors || result.graphqlErrors)
        throw new Error(`${target.name}: ${JSON.stringify(result)}`);
      target.results.push(result);
    }
  }
  await loader.call('stop').catch(() => {});
  print(active, products, stockDashboard);
  for (const p of products) await p.product.stop();
  for (const ref of [bare, stock]) {
    await ref.helper.call('stop').catch(() => {});
    await ref.helper.exited();
  }
}

/** Polls the product's RSS while it is under load; keeps the peak on the target. */
function sampleRss(target: Target) {
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rss } = await target.product!.stats();
      target.peakRss = Math.max(target.peakRss, rss);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

function print(targets: Target[], products: ProductReport[], stockDashboard: unknown): void {
  console.log(
    `\n${ROUNDS} round(s) × ${SECONDS} s per target after ${WARMUP_SECONDS} s warm-up each, ${CONNECTIONS} connections, autocannon in its own process; medians over rounds`,
  );
  console.log(
    `dashboard: ${CAMPAIGNS} campaigns × ${CONTACTS_PER_CAMPAIGN} contacts, ${JSON.stringify({ data: stockDashboard }).length} bytes (reference)\n`,
  );
  console.log(
    `${'target'.padEnd(26)} ${'req/s'.padStart(8)} ${'p50'.padStart(8)} ${'p99'.padStart(8)}  rounds (req/s)`,
  );
  const rps = new Map<string, number>();
  for (const t of targets) {
    const r = median(t.results.map((x) => x.rps));
    rps.set(t.name, r);
    console.log(
      `${t.name.padEnd(26)} ${r.toFixed(0).padStart(8)} ${`${median(t.results.map((x) => x.p50))} ms`.padStart(8)} ${`${median(t.results.map((x) => x.p99))} ms`.padStart(8)}  ${t.results.map((x) => x.rps.toFixed(0)).join(', ')}${t.results.some((x) => x.errors) ? `  (socket errors/timeouts: ${t.results.map((x) => x.errors).join(', ')})` : ''}`,
    );
  }
  console.log('');
  for (const p of products) {
    const loaded = Math.max(...targets.filter((t) => t.product === p.product).map((t) => t.peakRss));
    console.log(
      `product on ${p.label}: start→ready ${(p.product.startMs / 1000).toFixed(2)} s; RSS idle ${mb(p.idleRss)}, loaded (peak) ${loaded > 0 ? mb(loaded) : '—'}; SQL statements per request: dashboard ${p.firstDashboardStatements} first, ${p.dashboardStatements.toFixed(1)} repeated, viewer ${p.viewerStatements.toFixed(1)}; dashboard ${p.dashboardBytes} bytes`,
    );
  }
  console.log('');
  const ratio = (a: string, b: string, what: string) => {
    const x = rps.get(a);
    const y = rps.get(b);
    if (x !== undefined && y !== undefined) console.log(`${what.padEnd(58)} ${(x / y).toFixed(2)}×`);
  };
  for (const p of products) {
    ratio(`viewer-${p.label}`, 'bare-apollo', `viewer (${p.label}) ÷ bare Apollo {__typename}`);
    ratio(`dashboard-${p.label}`, 'stock-dashboard', `dashboard (${p.label}) ÷ stock Apollo from memory`);
  }
  console.log(
    '\nSQL statements: every query drizzle sends, counted by its logger in the product process over ' +
      `${SAMPLE_REQUESTS} sequential requests (BEGIN/COMMIT of transactions are not queries drizzle logs). ` +
      'A repeated read answered from the read cache first waits for one `select pg_backend_pid()` on the change feed’s ' +
      'connection (PostgreSQL), shared by the reads that arrive together; it is not counted.',
  );
}

await main();
