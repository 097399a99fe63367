import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_CONTACTS } from '../helpers/campaigns.js';
import { openTestDatabase, TestServer, type TestTeam } from '../helpers/server.js';
import { connectWs, executeWs } from '../helpers/ws.js';

// Cost and size limits (issue 11, item 1). Timings are printed for the report and asserted with
// generous headroom: this machine is shared and loaded.
let t: TestServer;
let team: TestTeam;
let statements = 0;
beforeAll(async () => {
  const database = await openTestDatabase({ onQuery: () => void statements++ });
  t = await TestServer.start({ database });
  team = await t.createTeam('Limits');
  for (let c = 0; c < 20; c++) {
    const created = await t.gql<{ createCampaign: { id: string } }>(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ... on Campaign { id } } }`,
      { input: { name: `Campaign ${c}`, channel: 'EMAIL', syncAs: 'APPLICATION' } },
      team.adminToken,
    );
    expect(created.errors).toBeUndefined();
    const contacts = Array.from({ length: 20 }, (_, i) => ({ email: `p${c}-${i}@example.com` }));
    const added = await t.gql(
      ADD_CONTACTS,
      { id: created.data?.createCampaign.id, contacts },
      team.adminToken,
    );
    expect(added.errors).toBeUndefined();
  }
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await t?.database.close();
});

/** The 117-character, depth-11 query: 100 × 100 × 100 contacts. */
const ATTACK =
  '{campaigns(first:100){edges{node{contacts(first:100){edges{node{campaign{contacts(first:100){edges{node{id}}}}}}}}}}}';
/** The app's own dashboard: 20 campaigns × their first 20 contacts, with nested fields. */
const DASHBOARD = `{
  campaigns(first: 20) { totalCount edges { node {
    id name owner { email } effectiveSync { syncAs sources { setting source } }
    contacts(first: 20) { totalCount edges { node {
      id stage contact { email } override { syncAs }
      effectiveSync { addApplicationWhen fieldValues { field value } } missingMandatoryFields
    } } }
  } } }
}`;
/** Close to the limit: 15 × 15 × 6 contacts, every one resolved. */
const HEAVIEST = `{ campaigns(first: 15) { edges { node { id contacts(first: 15) { edges { node { id
  campaign { contacts(first: 6) { edges { node { id stage contact { email } } } } } } } } } } } }`;

type Cost = { requested: number; limit: number };

describe('the cost limit', () => {
  it('admits the dashboard and reports its cost in extensions.cost', async () => {
    const res = await t.gql<{ campaigns: { totalCount: number } }>(DASHBOARD, {}, team.adminToken);
    expect(res.errors).toBeUndefined();
    expect(res.data?.campaigns.totalCount).toBe(20);
    const cost = res.body.extensions as { cost: Cost };
    expect(cost.cost.limit).toBe(10_000);
    expect(cost.cost.requested).toBeGreaterThan(400);
    expect(cost.cost.requested).toBeLessThan(cost.cost.limit);
  });

  it('refuses the 117-character query over HTTP quickly, with its cost, without touching the database', async () => {
    expect(ATTACK).toHaveLength(117);
    // The token lookup is the only statement a request makes before execution: measure it alone,
    // with the viewer cache warm (on a loaded machine the previous test may outlast its TTL).
    await t.gql('{ __typename }', {}, team.adminToken);
    statements = 0;
    await t.gql('{ __typename }', {}, team.adminToken);
    const baseline = statements;
    statements = 0;
    const started = performance.now();
    const res = await t.gql(ATTACK, {}, team.adminToken);
    const ms = performance.now() - started;
    console.info(`117-character query refused over HTTP in ${ms.toFixed(1)} ms`);
    expect(statements).toBe(baseline);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.extensions?.cost).toEqual({ requested: 3_040_301, limit: 10_000 });
    expect((res.body.extensions as { cost: Cost }).cost.requested).toBe(3_040_301);
    expect(res.data).toBeUndefined();
    expect(ms).toBeLessThan(250);
  });

  it('refuses the same query over graphql-ws without a statement, and reports costs there too', async () => {
    const outcome = await connectWs(t.wsUrl, { authorization: `Bearer ${team.adminToken}` });
    if (outcome.kind !== 'acknowledged') throw new Error(`not acknowledged: ${outcome.code}`);
    try {
      statements = 0;
      const started = performance.now();
      const res = await executeWs(outcome.client, ATTACK);
      const ms = performance.now() - started;
      console.info(`117-character query refused over graphql-ws in ${ms.toFixed(1)} ms`);
      expect(statements).toBe(0);
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect((res.extensions as { cost?: Cost } | undefined)?.cost).toEqual({
        requested: 3_040_301,
        limit: 10_000,
      });
      expect(ms).toBeLessThan(250);
      const ok = await executeWs(outcome.client, '{ campaigns(first: 2) { totalCount } }');
      expect(ok.errors).toBeUndefined();
      expect((ok.extensions as { cost: Cost }).cost.requested).toBe(3);
    } finally {
      outcome.client.dispose();
    }
  });

  it('counts page sizes from variables and fragments', async () => {
    const res = await t.gql(
      `query($n: Int) { campaigns(first: $n) { ...page } }
       fragment page on CampaignConnection { edges { node { contacts(first: 100) { edges { node { id } } } } } }`,
      { n: 100 },
      team.adminToken,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.extensions?.cost).toMatchObject({ requested: 1 + 100 * (1 + 1 + (1 + 100 * 3)) });
  });
});

describe('the heaviest allowed query', () => {
  it('keeps /healthz answering and the event loop free while it runs', async () => {
    expect((await t.http().get('/healthz')).status).toBe(200); // warm: the probes time answers, not set-up
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    // Six runs back to back, so even a fast database leaves time for several probes.
    const running = (async () => {
      for (let run = 1; run < 6; run++) await t.gql(HEAVIEST, {}, team.adminToken);
      return t.gql(HEAVIEST, {}, team.adminToken);
    })();
    const probes: number[] = [];
    let done = false;
    void running.finally(() => {
      done = true;
    });
    while (!done) {
      const started = performance.now();
      const health = await t.http().get('/healthz');
      probes.push(performance.now() - started);
      expect(health.status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await running;
    delay.disable();
    const cost = (res.body.extensions as { cost: Cost }).cost;
    const worst = Math.max(...probes);
    const median = [...probes].sort((a, b) => a - b)[Math.floor(probes.length / 2)]!;
    console.info(
      `heaviest allowed query (cost ${cost.requested}): /healthz median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms over ${probes.length} probes; event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    expect(res.errors).toBeUndefined();
    expect(cost.requested).toBeLessThanOrEqual(cost.limit);
    expect(cost.requested).toBeGreaterThan(cost.limit * 0.5);
    expect(probes.length).toBeGreaterThan(0);
    // Issue 11 asks for 100 ms. On PostgreSQL an operation lets the loop in after every 10 ms of its
    // own work (execution-budget.ts): measured worst 11–57 ms at load average 2–5 on 2 cores. On
    // PGlite the database runs on this thread; each query first waits for a turn of the loop
    // (db/client.ts#takeTurns), so probes get in between the operation's queries: worst 32–38 ms
    // (87–128 ms before, at load ~3).
    expect(median).toBeLessThan(100);
    expect(worst).toBeLessThan(100);
  }, 60_000);
});

describe('the execution budget', () => {
  it('stops an operation that resolves more fields than allowed, with one coded error', async () => {
    const small = await TestServer.start({ database: t.database, env: { GRAPHQL_MAX_NODES: '300' } });
    try {
      const res = await small.gql(DASHBOARD, {}, team.adminToken);
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 300 });
      expect(res.status).toBeLessThan(500);
      expect(small.logs.join('')).not.toContain('unexpected error');
    } finally {
      await small.stop();
    }
  });

  it('stops an operation that runs past its time budget', async () => {
    const quick = await TestServer.start({ database: t.database, env: { GRAPHQL_TIMEOUT_MS: '10' } });
    try {
      const res = await quick.gql(HEAVIEST, {}, team.adminToken);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TIMEOUT']);
      expect(res.errors?.[0]?.message).toContain('10 ms time budget');
    } finally {
      await quick.stop();
    }
  });
});
