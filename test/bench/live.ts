// Benchmark: live sync events at scale. N real graphql-ws subscribers of one team (own process,
// support/ws-clients.ts) watch a sync of M contacts against the simulator with the real workers; the
// product runs in its own process on PostgreSQL (BENCH_DATABASE_URL) and PGlite. Prints the sync's
// duration with and without subscribers, delivery latency, exactly-once/in-order delivery against
// the `syncEvents` list, and server memory per idle subscription.
// Run: node --import tsx test/bench/live.ts [subscribers] [contacts]
// Env: BENCH_RPS=<Pinpoint requests/s, default the product's 20>, BENCH_DATABASES=postgres,pglite,
// BENCH_CPU_PROF=<directory>: the product writes a CPU profile there (node --cpu-prof).
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { startPinpointSimulator } from '../../src/simulator/server.js';
import { spawnHelper } from './support/ipc.js';
import { gql, type Product, startProduct } from './support/product.js';

const SUBSCRIBERS = Number(process.argv[2] ?? process.env.BENCH_SUBSCRIBERS ?? 1_000);
const CONTACTS = Number(process.argv[3] ?? process.env.BENCH_CONTACTS ?? 200);
const RPS = process.env.BENCH_RPS;
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',');
const pgUrl = process.env.BENCH_DATABASE_URL;
const CPU_PROF = process.env.BENCH_CPU_PROF;
const sim = await startPinpointSimulator({ port: 0 });

interface Setup {
  readonly token: string;
  readonly campaigns: [string, string];
}

/** A team connected to a fresh simulator company, pushing on ADDED_TO_CAMPAIGN, with two campaigns. */
async function setup(product: Product): Promise<Setup> {
  const { token } = await product.createTeam();
  const domain = `live${randomBytes(4).toString('hex')}`;
  const apiKey = `pp_${randomBytes(16).toString('hex')}`;
  const company = sim.store.createCompany({
    domain,
    apiKeys: [{ key: apiKey }],
    jobs: [{ title: 'Backend Engineer', stages: ['Applied', 'Sourced'] }],
  });
  const run = (query: string, variables: object) =>
    gql<Record<string, Record<string, unknown>>>(product.url, token, query, variables);
  const activated = await run(
    `mutation($input: ActivatePinpointInput!) { activatePinpoint(input: $input) { __typename } }`,
    { input: { apiKey, domain } },
  );
  if (activated.activatePinpoint!.__typename !== 'Integration') throw new Error('activation failed');
  await run(`mutation($input: TeamSettingsInput!) { updateTeamSettings(input: $input) { __typename } }`, {
    input: { addApplicationWhen: 'ADDED_TO_CAMPAIGN' },
  });
  const campaign = async (name: string) => {
    const created = await run(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on Campaign { id } } }`,
      {
        input: {
          name,
          channel: 'EMAIL',
          syncAs: 'APPLICATION',
          fieldValues: [{ field: 'job', value: company.jobs[0]!.id }],
        },
      },
    );
    return created.createCampaign!.id as string;
  };
  return { token, campaigns: [await campaign('Baseline'), await campaign('Watched')] };
}

const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

/** Adds M contacts and waits until all are SYNCED; answers the seconds it took. */
async function runSync(product: Product, token: string, campaignId: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CONTACTS; i += 500) {
    const contacts = Array.from({ length: Math.min(500, CONTACTS - i) }, (_, k) => ({
      email: `p${i + k}-${randomBytes(3).toString('hex')}@example.com`,
      firstName: 'Ada',
      lastName: `Lovelace${i + k}`,
    }));
    await gql(
      product.url,
      token,
      `mutation($id: ID!, $contacts: [ContactInput!]!) { addContactsToCampaign(campaignId: $id, contacts: $contacts) { __typename } }`,
      { id: campaignId, contacts },
    );
  }
  const uuid = rawId(campaignId);
  for (;;) {
    const counts = await product.syncCounts(uuid);
    if ((counts.SYNCED ?? 0) === CONTACTS) return (performance.now() - started) / 1000;
    const stuck = (counts.FAILED ?? 0) + (counts.BLOCKED ?? 0) + (counts.SKIPPED ?? 0);
    if (stuck > 0) throw new Error(`unexpected statuses: ${JSON.stringify(counts)}`);
    if (performance.now() - started > 600_000) throw new Error(`sync not done: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The campaign's events from the `syncEvents` list, oldest first, with their cursors. */
async function listEvents(product: Product, token: string, campaignId: string) {
  const events: { id: string; cursor: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: {
      syncEvents: {
        edges: { cursor: string; node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await gql(
      product.url,
      token,
      `query($id: ID, $after: String) { syncEvents(campaignId: $id, first: 100, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
      { id: campaignId, after },
    );
    events.push(...page.syncEvents.edges.map((e) => ({ id: e.node.id, cursor: e.cursor })));
    if (!page.syncEvents.pageInfo.hasNextPage) return events.reverse();
    after = page.syncEvents.pageInfo.endCursor;
  }
}

/** Today's API or the resumable one: `after` on the subscription and `cursor` on SyncEvent. */
async function subscriptionFeatures(product: Product, token: string) {
  const data = await gql<{
    __schema: { subscriptionType: { fields: { name: string; args: { name: string }[] }[] } };
    __type: { fields: { name: string }[] };
  }>(
    product.url,
    token,
    `{ __schema { subscriptionType { fields { name args { name } } } } __type(name: "SyncEvent") { fields { name } } }`,
  );
  const field = data.__schema.subscriptionType.fields.find((f) => f.name === 'syncEvents');
  return {
    after: Boolean(field?.args.some((a) => a.name === 'after')),
    cursor: data.__type.fields.some((f) => f.name === 'cursor'),
  };
}

interface CheckResult {
  clients: number;
  exact: number;
  outOfOrder: number;
  inversionsPerClient: number;
  distinctOrders: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  snapshots: number;
  errors: number;
  firstError: string | null;
  latency: { p50: number; p99: number; max: number };
}

async function measure(label: string, databaseUrl: string | undefined): Promise<void> {
  const product = await startProduct({
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(CPU_PROF ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] } : {}),
    env: {
      PINPOINT_BASE_URL: sim.baseUrlTemplate,
      WORKER_CONCURRENCY: '4',
      GRAPHQL_INTROSPECTION: 'true', // the bench asks which subscription API the product has
      ...(RPS ? { PINPOINT_REQUESTS_PER_SECOND: RPS } : {}),
    },
  });
  const clients = spawnHelper('test/bench/support/ws-clients.ts');
  try {
    const { token, campaigns } = await setup(product);
    const features = await subscriptionFeatures(product, token);
    const baseline = await runSync(product, token, campaigns[0]);
    const idleRss = (await product.stats({ gc: true })).rss;
    // The watched campaign's newest cursor (none yet) is where a resuming dashboard would start.
    const newest = (await listEvents(product, token, campaigns[1])).at(-1)?.cursor;
    const useAfter = features.after && newest !== undefined;
    const query = `subscription($id: ID${useAfter ? ', $after: String' : ''}) { syncEvents(campaignId: $id${useAfter ? ', after: $after' : ''}) { id createdAt${features.cursor ? ' cursor' : ''} } }`;
    await clients.event('ready');
    const connectStarted = performance.now();
    await clients.call(
      'connect',
      {
        url: `${product.url.replace(/^http/, 'ws')}/graphql`,
        token,
        count: SUBSCRIBERS,
        query,
        variables: { id: campaigns[1], ...(useAfter ? { after: newest } : {}) },
      },
      600_000,
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    await new Promise((r) => setTimeout(r, 2_000)); // subscriptions set up server-side, then idle
    const subscribedRss = (await product.stats({ gc: true })).rss;
    const watched = await runSync(product, token, campaigns[1]);
    await new Promise((r) => setTimeout(r, 500));
    // Until every subscriber has every listed event and the list has stopped growing (an event
    // committed after the list was read would otherwise count as "not in the list" for those that
    // already got it).
    let expected: string[] = [];
    const deadline = performance.now() + 120_000;
    for (;;) {
      const listed = (await listEvents(product, token, campaigns[1])).map((e) => e.id);
      if (listed.length === expected.length || performance.now() >= deadline) break;
      expected = listed;
      while (
        (await clients.call<number>('progress', { expected })) < SUBSCRIBERS &&
        performance.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 250));
    }
    const check = await clients.call<CheckResult>('check', { expected });
    console.log(
      `\n${label}: ${SUBSCRIBERS} subscribers, ${CONTACTS}-contact sync, ${expected.length} events (load average ${loadAverage()})`,
    );
    console.log(
      `  API: subscription after-argument ${features.after ? 'yes' : 'no'}, SyncEvent.cursor ${features.cursor ? 'yes' : 'no'}`,
    );
    console.log(`  sync without subscribers   ${baseline.toFixed(2)} s`);
    console.log(
      `  sync with ${String(SUBSCRIBERS).padEnd(5)} subscribers ${watched.toFixed(2)} s   ratio ${(watched / baseline).toFixed(2)}×`,
    );
    console.log(
      `  delivery latency (createdAt → client) p50 ${check.latency.p50.toFixed(0)} ms, p99 ${check.latency.p99.toFixed(0)} ms, max ${check.latency.max.toFixed(0)} ms`,
    );
    console.log(
      `  every event exactly once, in list order: ${check.exact}/${check.clients} subscribers (same events, other order: ${check.outOfOrder}, with ${check.inversionsPerClient.toFixed(1)} adjacent pairs inverted per subscriber, ${check.distinctOrders} distinct order(s) across subscribers; missing ${check.missing}, duplicates ${check.duplicates}, not in the list ${check.unexpected}; pre-sync first events dropped ${check.snapshots}; errors ${check.errors}${check.firstError ? ` e.g. ${check.firstError}` : ''})`,
    );
    console.log(
      `  server RSS ${mb(idleRss)} idle → ${mb(subscribedRss)} with ${SUBSCRIBERS} idle subscriptions: ${((subscribedRss - idleRss) / SUBSCRIBERS / 1024).toFixed(1)} KB per subscription (connecting took ${connectSeconds.toFixed(1)} s)`,
    );
  } finally {
    await clients.call('stop').catch(() => {});
    await clients.exited();
    await product.stop();
  }
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

console.log(
  `Live sync events: graphql-ws clients in their own process, product in its own process, ${RPS ?? 'default (20)'} Pinpoint requests/s, 4 workers.`,
);
console.log(
  "Latency is the client receive time minus the event's createdAt (the database now() of the transaction that wrote it, same machine clock): it approximates commit → client, and over-states it by the time from the transaction's start to its commit.",
);
for (const db of DATABASES) {
  if (db === 'postgres' && !pgUrl) console.log('\nBENCH_DATABASE_URL is not set: skipping PostgreSQL.');
  else if (db === 'postgres') await measure('PostgreSQL', pgUrl);
  else await measure('PGlite', undefined);
}
await sim.close();
