// The database becomes unreachable and comes back, on PostgreSQL, without a restart: a TCP proxy of
// this test's own sits between the server and PostgreSQL. Cut (every socket destroyed, no new
// connection accepted), /readyz answers 503 and GraphQL requests a retryable SERVICE_UNAVAILABLE,
// never INTERNAL_SERVER_ERROR; restored, /readyz is 200 again, requests answer with data, and the
// workers and a graphql-ws subscriber opened before the outage carry on: a sync job enqueued after
// the recovery completes and its event reaches that subscriber.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargetFromUrl } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { connectPinpoint, type PinpointSimulator, seedCompany, startSimulator } from '../helpers/pinpoint.js';
import { TestServer, type TestTeam } from '../helpers/server.js';
import { type Recorder, record, wsClient } from '../helpers/subscriptions.js';
import {
  addContacts,
  createCampaign,
  FAST_SYNC_ENV,
  person,
  recordReply,
  type SyncTeam,
  type SyncWorld,
  waitForStatus,
} from '../helpers/sync.js';

const url = process.env.TEST_DATABASE_URL;

/** A TCP proxy to PostgreSQL that can be cut (sockets destroyed, listener closed) and restored. */
interface Proxy {
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function startProxy(target: { host: string; port: number }): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = netConnect(target.port, target.host);
        track(client);
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  const port = await listen(0);
  const cut = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  };
  return {
    port,
    cut,
    restore: async () => {
      await listen(port);
    },
    close: cut,
  };
}

let proxy: Proxy | undefined;
let sim: PinpointSimulator | undefined;
let t: TestServer | undefined;
let world: SyncWorld;
let team: SyncTeam;
let campaignId = '';
type Msg = { syncEvents: { id: string; kind: string; campaignContact: { id: string } | null } };
let subscriber: { client: ReturnType<typeof wsClient>; sub: Recorder<Msg> } | undefined;

beforeAll(async () => {
  if (!url) return;
  const target = new URL(url);
  proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${proxy.port}`;
  const database = await openDatabase({
    ...databaseTargetFromUrl(proxied.href, '.data'),
    poolMax: 5,
  } as never);
  sim = await startSimulator();
  // Tokens stay cached through the outage, so requests get past authentication to the resolvers
  // (and their loaders), where the database is found missing.
  t = await TestServer.start({
    database,
    env: { ...FAST_SYNC_ENV, PINPOINT_BASE_URL: sim.baseUrlTemplate, AUTH_CACHE_TTL_MS: '300000' },
    workers: true,
  });
  world = { sim, t, stop: async () => {} };
  const base: TestTeam = await t.createTeam('Outage team');
  const company = seedCompany(sim);
  await connectPinpoint(t, base, company);
  team = { ...base, company, job: company.jobs[0]!, phoneJob: company.jobs[1]! };
  campaignId = await createCampaign(world, team);
}, 120_000);

afterAll(async () => {
  console.error(
    'DIAGLOGS',
    t?.logs
      .filter((l) => /"level":(40|50|60)/.test(l))
      .join('')
      .slice(-30000),
  );
  subscriber?.sub.dispose();
  await subscriber?.client.dispose();
  await t?.stop();
  await sim?.close();
  await proxy?.close();
});

type Outcome = 'data' | 'retryable' | 'internal' | 'other';
let ccBefore = '';
let requestCount = 0;

/** Two reads in turn: a page of campaigns, and one campaign contact by id (through node loaders). */
async function campaignsRequest(): Promise<Outcome> {
  const byId = requestCount++ % 2 === 1;
  const res = byId
    ? await t!.gql<{ node: { contact: { email: string }; campaign: { name: string } } | null }>(
        'query($id: ID!) { node(id: $id) { ... on CampaignContact { id contact { email } campaign { name } } } }',
        { id: ccBefore },
        team.adminToken,
      )
    : await t!.gql<{ campaigns: { totalCount: number } }>(
        '{ campaigns(first: 5) { totalCount edges { node { id name } } } }',
        {},
        team.adminToken,
      );
  const data = res.data as Record<string, unknown> | null | undefined;
  const ok = byId
    ? (data?.node as { contact?: { email?: string } } | null)?.contact?.email !== undefined
    : (data?.campaigns as { totalCount?: number } | undefined)?.totalCount === 1;
  if (ok && !res.errors) return 'data';
  const codes = (res.errors ?? []).map((e) => e.extensions?.code);
  if (codes.includes('INTERNAL_SERVER_ERROR')) return 'internal';
  const retryable = (res.errors ?? []).every(
    (e) => e.extensions?.code === 'SERVICE_UNAVAILABLE' && e.extensions.retryable === true,
  );
  // No errors but no data either (a node read as "not found" during the outage) is 'other'.
  return codes.length > 0 && retryable ? 'retryable' : 'other';
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const readyStatus = async () => (await t!.http().get('/readyz')).status;

describe.skipIf(!url)('the database unreachable, then back (needs TEST_DATABASE_URL)', () => {
  it('syncs and streams before the outage', async () => {
    const client = wsClient(t!.wsUrl, team.memberToken);
    subscriber = {
      client,
      sub: record<Msg>(client, 'subscription { syncEvents { id kind campaignContact { id } } }'),
    };
    await new Promise((resolve) => setTimeout(resolve, 500)); // the subscription reaches the server
    const [ccId] = await addContacts(world, team, campaignId, [person('before')]);
    ccBefore = ccId!;
    await recordReply(world, team, ccId!, true); // an interested reply pushes the application
    await waitForStatus(world, team, ccId!, 'SYNCED', 30_000);
    await subscriber.sub.waitFor((v) => v.some((m) => m.syncEvents.campaignContact?.id === ccId), 20_000);
    expect(await readyStatus()).toBe(200);
    expect([await campaignsRequest(), await campaignsRequest()]).toEqual(['data', 'data']);
  }, 90_000);

  it('answers /readyz 503 and every request retryably while the proxy is cut', async () => {
    const outcomes: Outcome[] = [];
    let loading = true;
    const load = Array.from({ length: 3 }, async () => {
      while (loading) outcomes.push(await campaignsRequest());
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // requests in flight when the cut comes
    await proxy!.cut();
    expect(await waitUntil(async () => (await readyStatus()) === 503, 15_000)).toBe(true);
    const cutAt = outcomes.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    loading = false;
    await Promise.all(load);
    const during = outcomes.slice(cutAt);

    expect(outcomes.filter((o) => o === 'internal' || o === 'other')).toEqual([]);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((o) => o === 'retryable')).toBe(true);
    expect(during.length).toBeGreaterThan(1); // both reads, the one by id too
    expect((await t!.http().get('/readyz')).body).toEqual({ status: 'database unreachable' });
    expect((await t!.http().get('/healthz')).status).toBe(200);
    expect(t!.logs.join('')).not.toMatch(/unexpected error|INTERNAL_SERVER_ERROR/);
  }, 60_000);

  it('is ready again once the proxy is restored, and answers with data', async () => {
    await proxy!.restore();
    expect(await waitUntil(async () => (await readyStatus()) === 200, 30_000)).toBe(true);
    expect(await waitUntil(async () => (await campaignsRequest()) === 'data', 15_000)).toBe(true);
    expect([await campaignsRequest(), await campaignsRequest()]).toEqual(['data', 'data']);
  }, 60_000);

  it('runs a sync job enqueued after the recovery, and its event reaches the subscriber from before', async () => {
    const [ccId] = await addContacts(world, team, campaignId, [person('after')]);
    await recordReply(world, team, ccId!, true);
    await waitForStatus(world, team, ccId!, 'SYNCED', 30_000);
    await subscriber!.sub.waitFor((v) => v.some((m) => m.syncEvents.campaignContact?.id === ccId), 20_000);
    expect(subscriber!.sub.errors).toEqual([]);
  }, 90_000);
});
