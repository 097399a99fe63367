// GET /metrics on its own listener, scraped after real traffic: GraphQL operations and errors,
// Pinpoint calls through the simulator, the outbox by state, live WebSockets and subscriptions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATE } from '../helpers/pinpoint.js';
import { record, wsClient } from '../helpers/subscriptions.js';
import {
  addContacts,
  createCampaign,
  person,
  recordReply,
  type SyncTeam,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
  waitForStatus,
} from '../helpers/sync.js';

let world: SyncWorld;
let team: SyncTeam;

beforeAll(async () => {
  world = await startSyncWorld({ METRICS_PORT: '0', METRICS_MAX_OPERATION_NAMES: '4' });
  team = await setupTeam(world);
}, 60_000);
afterAll(() => world?.stop());

async function scrape(): Promise<string> {
  const url = world.t.server.metricsUrl;
  if (!url) throw new Error('metrics are off');
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series, labels given exactly as Prometheus prints them; 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const durationCount = (text: string, op: string) =>
  value(text, `bff_graphql_request_duration_seconds_count{operation="${op}"}`);

describe('the metrics endpoint', () => {
  it('listens on its own loopback port, apart from the public API', async () => {
    expect(world.t.server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(world.t.server.metricsUrl).not.toContain(`:${world.t.server.port}/`);
    const onApi = await world.t.http().get('/metrics');
    expect(onApi.status).toBe(404);
    const other = await fetch(world.t.server.metricsUrl!.replace('/metrics', '/other'));
    expect(other.status).toBe(404);
  });

  it('counts requests by operation name, unnamed ones as anonymous and names past the cap as other', async () => {
    const before = await scrape();
    await world.t.gql('query MetricsViewer { viewer { user { id } } }', {}, team.adminToken);
    await world.t.gql('query MetricsViewer { viewer { user { id } } }', {}, team.adminToken);
    await world.t.gql('{ viewer { user { id } } }', {}, team.adminToken);
    // The cap is 4 distinct names (METRICS_MAX_OPERATION_NAMES); the names below overflow it.
    for (const n of [1, 2, 3, 4, 5])
      await world.t.gql(`query Overflow${n} { __typename }`, {}, team.adminToken);
    const after = await scrape();
    expect(durationCount(after, 'MetricsViewer') - durationCount(before, 'MetricsViewer')).toBe(2);
    expect(durationCount(after, 'anonymous') - durationCount(before, 'anonymous')).toBe(1);
    expect(durationCount(after, 'other')).toBeGreaterThanOrEqual(2);
    const names = [...after.matchAll(/bff_graphql_request_duration_seconds_count\{operation="([^"]+)"\}/g)];
    expect(names.length).toBeLessThanOrEqual(6); // 4 names, "anonymous" and "other"
    expect(after).toMatch(
      /bff_graphql_request_duration_seconds_bucket\{le="0\.005",operation="MetricsViewer"\}/,
    );
  });

  it('counts the errors sent to clients by code', async () => {
    const series = 'bff_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}';
    const before = value(await scrape(), series);
    const bad = await world.t.gql('query Broken { noSuchField }', {}, team.adminToken);
    expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const forbidden = 'bff_graphql_errors_total{code="FORBIDDEN"}';
    const fBefore = value(await scrape(), forbidden);
    const denied = await world.t.gql(
      ACTIVATE,
      { input: { apiKey: 'not-used', domain: team.company.domain } },
      team.memberToken,
    );
    const after = await scrape();
    expect(value(after, series) - before).toBe(1);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(value(after, forbidden) - fBefore).toBe(1);
  });

  it('counts read cache hits and misses, and its entries', async () => {
    const before = await scrape();
    const dashboard = 'query MetricsDashboard { campaigns(first: 3) { edges { node { id name } } } }';
    for (let i = 0; i < 3; i++) await world.t.gql(dashboard, {}, team.memberToken);
    const after = await scrape();
    const hits =
      value(after, 'bff_read_cache_lookups_total{result="hit"}') -
      value(before, 'bff_read_cache_lookups_total{result="hit"}');
    const misses =
      value(after, 'bff_read_cache_lookups_total{result="miss"}') -
      value(before, 'bff_read_cache_lookups_total{result="miss"}');
    // The first is a miss; the others hit unless a worker changed the team's data in between.
    expect(misses).toBeGreaterThanOrEqual(1);
    expect(hits).toBeGreaterThanOrEqual(1);
    expect(hits + misses).toBe(3);
    expect(value(after, 'bff_read_cache_entries')).toBeGreaterThanOrEqual(1);
  });

  it('reports open WebSockets and running subscriptions, and both fall back when they end', async () => {
    const before = await scrape();
    const client = wsClient(world.t.wsUrl, team.memberToken);
    const events = record(client, 'subscription { syncEvents { kind } }');
    await waitFor(async () => value(await scrape(), 'bff_websocket_operations') > 0);
    const live = await scrape();
    expect(value(live, 'bff_websocket_connections') - value(before, 'bff_websocket_connections')).toBe(1);
    expect(value(live, 'bff_websocket_operations') - value(before, 'bff_websocket_operations')).toBe(1);
    events.dispose();
    await client.dispose();
    await waitFor(async () => value(await scrape(), 'bff_websocket_connections') === 0);
    expect(value(await scrape(), 'bff_websocket_operations')).toBe(0);
  });

  it('reports queued jobs and the oldest one’s age, then Pinpoint calls by status once a sync runs', async () => {
    // A team the workers do not serve: its job stays QUEUED for the scrape to see.
    const parked = await setupTeam(world);
    world.t.teamIds.splice(world.t.teamIds.indexOf(parked.teamId), 1);
    const parkedCampaign = await createCampaign(world, parked);
    const [parkedContact] = await addContacts(world, parked, parkedCampaign, [person('parked')]);
    await recordReply(world, parked, parkedContact!, true);
    await new Promise((r) => setTimeout(r, 50));
    const queued = await scrape();
    expect(value(queued, 'bff_sync_jobs{state="QUEUED"}')).toBeGreaterThanOrEqual(1);
    expect(value(queued, 'bff_sync_oldest_queued_job_age_seconds')).toBeGreaterThan(0.04);
    expect(queued).toMatch(/^bff_sync_jobs\{state="DEAD"\} \d+$/m);

    const pinpoint = (text: string) =>
      value(text, 'bff_pinpoint_request_duration_seconds_count{method="POST",status="201"}') +
      value(text, 'bff_pinpoint_request_duration_seconds_count{method="POST",status="200"}');
    const campaign = await createCampaign(world, team);
    const [cc] = await addContacts(world, team, campaign, [person('metrics')]);
    await recordReply(world, team, cc!, true);
    await waitForStatus(world, team, cc!, 'SYNCED');
    const synced = await scrape();
    expect(pinpoint(synced) - pinpoint(queued)).toBeGreaterThanOrEqual(1);
    expect(
      value(synced, 'bff_pinpoint_request_duration_seconds_count{method="GET",status="200"}'),
    ).toBeGreaterThan(0);
  });

  it('logs every request with its operation name and no query text', async () => {
    const from = world.t.logs.length;
    await world.t.gql('query LoggedByName { viewer { user { id } } }', {}, team.adminToken);
    const line = world.t.logs
      .slice(from)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ operationName: 'LoggedByName', operationType: 'query', status: 200 });
    expect(typeof line?.requestId).toBe('string');
    expect(JSON.stringify(line)).not.toContain('viewer');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached in time');
}
