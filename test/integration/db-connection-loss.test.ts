// A dropped database connection is survivable: the real server process, on PostgreSQL, has its
// backends terminated 20 times under load (the LISTEN connection among them) and keeps running;
// every request is answered with data or a retryable SERVICE_UNAVAILABLE; no promise is left
// unhandled (any would now exit the process); readiness recovers, so does the LISTEN connection,
// and a subscriber connected before the storm receives an event notified after it.
import postgres from 'postgres';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam } from '../../src/app/teams.js';
import type { Database } from '../../src/db/client.js';
import { CHANNELS, notify } from '../../src/db/notify.js';
import { syncEventsTable } from '../../src/db/schema.js';
import { lockSyncEventLog } from '../../src/db/sync-event-log.js';
import { createSyncTeam, enqueue, jobById } from '../helpers/outbox.js';
import { openTestDatabase } from '../helpers/server.js';
import { freePort, type ServerProcess, spawnServer } from '../helpers/server-process.js';
import { type Recorder, record, wsClient } from '../helpers/subscriptions.js';

const url = process.env.TEST_DATABASE_URL;
const TERMINATIONS = 20;
// Our own application_name, so the storm hits this server's backends only (other test files share
// the database); postgres.js lets the URL's parameter override the app's 'pinpoint-bff'.
const APP_NAME = `pinpoint-bff-storm-${process.pid}`;

let server: ServerProcess | undefined;
let admin: postgres.Sql | undefined;
let base = '';
let token = '';
let teamId = '';
let database: Database | undefined;
/** A queued job of another team, connected without a key: the server's workers must leave it alone. */
let foreignJob = '';
let subscriber: { client: ReturnType<typeof wsClient>; sub: Recorder<Msg> } | undefined;

type Msg = { syncEvents: { id: string; kind: string; message: string } };

beforeAll(async () => {
  if (!url) return;
  database = await openTestDatabase();
  ({ token, teamId } = await createTeam(database.db, {
    name: 'Storm team',
    adminEmail: 'storm@example.com',
  }));
  const foreign = await createSyncTeam(database.db, { contacts: 1 });
  [foreignJob] = (await enqueue(database.db, foreign.teamId, foreign.campaignContactIds)) as [string];
  admin = postgres(url, { max: 1, connection: { application_name: 'bff-storm-killer' }, onnotice: () => {} });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawnServer({
    PORT: String(port),
    DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}application_name=${APP_NAME}`,
    SEED_DEMO_TEAM: 'false',
    // Workers run (their queries are among those terminated), for this team only: other test files'
    // jobs share the database, and a worker for every team would pause them (they have no key).
    WORKER_CONCURRENCY: '1',
    WORKER_ONLY_TEAMS: teamId,
    WORKER_POLL_INTERVAL_MS: '200',
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'info',
    // Four clients in a loop make ~2,500 requests a second with one token: over any per-token budget.
    RATE_LIMIT_REQUESTS: '0',
  });
  await server.waitFor(/"msg":"server ready"/, 150_000);
}, 180_000);

afterAll(async () => {
  // A server that died mid-storm: its last words are the diagnosis.
  if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) {
    console.error(server.output().slice(-4000));
  }
  // The server first: nothing below may leave it running after this file.
  await server?.stop('SIGKILL');
  subscriber?.sub.dispose();
  await subscriber?.client.dispose();
  await admin?.end({ timeout: 1 });
  await database?.close();
});

/** Writes a team-level sync event and notifies it on commit, as the webhook receiver does. */
async function notifyEvent(message: string): Promise<void> {
  await database!.db.transaction(async (tx) => {
    await lockSyncEventLog(tx, teamId);
    const [row] = await tx
      .insert(syncEventsTable)
      .values({ teamId, kind: 'ATS_EVENT_IGNORED', message })
      .returning({ id: syncEventsTable.id, position: syncEventsTable.position });
    await notify(tx, CHANNELS.syncEvent, { teamId, campaignId: null, id: row!.id, position: row!.position });
  });
}

const messages = () => subscriber!.sub.values.map((m) => m.syncEvents.message);

/** Terminates every backend of the server; answers how many, and whether its LISTEN one was among them. */
async function terminateBackends(): Promise<{ count: number; listen: boolean }> {
  const rows = await admin!`
    select pg_terminate_backend(pid) as ok, query ilike 'listen %' as listen from pg_stat_activity
    where application_name = ${APP_NAME} and datname = current_database()`;
  return { count: rows.length, listen: rows.some((r) => r.listen) };
}

type Outcome = 'data' | 'retryable' | 'other';

async function viewerRequest(): Promise<Outcome> {
  const res = await request(base)
    .post('/graphql')
    .set('authorization', `Bearer ${token}`)
    // The viewer comes from the token cache; the campaigns read reaches the database every time.
    .send({ query: '{ viewer { team { name } } campaigns(first: 1) { edges { node { id } } } }' });
  if (res.body?.data?.viewer?.team?.name === 'Storm team' && !res.body.errors) return 'data';
  const errors: { extensions?: { code?: string; retryable?: boolean } }[] = res.body?.errors ?? [];
  if (
    errors.length > 0 &&
    errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE' && e.extensions.retryable)
  ) {
    return 'retryable';
  }
  return 'other';
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe.skipIf(!url)('terminating the server’s database backends (needs TEST_DATABASE_URL)', () => {
  it('has a live syncEvents subscriber before the storm', async () => {
    const client = wsClient(`${base.replace(/^http/, 'ws')}/graphql`, token);
    subscriber = { client, sub: record<Msg>(client, 'subscription { syncEvents { id kind message } }') };
    // Live once an event notified now arrives (notify until one does: subscribing takes a moment).
    const live = await waitUntil(async () => {
      await notifyEvent('before the storm');
      return messages().includes('before the storm');
    }, 30_000);
    expect(live).toBe(true);
  }, 60_000);

  it(`survives ${TERMINATIONS} terminations under load, answering every request with data or a retryable error`, async () => {
    const outcomes: Outcome[] = [];
    let storming = true;
    const load = Array.from({ length: 4 }, async () => {
      while (storming) outcomes.push(await viewerRequest());
    });
    let terminated = 0;
    let listenTerminated = 0;
    for (let i = 0; i < TERMINATIONS; i++) {
      const { count, listen } = await terminateBackends();
      terminated += count;
      if (listen) listenTerminated++;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    storming = false;
    await Promise.all(load);

    expect(server!.child.exitCode).toBeNull();
    expect(server!.child.signalCode).toBeNull();
    expect(server!.output()).not.toMatch(/uncaught|unhandled|Cannot read properties of null/);
    expect(terminated).toBeGreaterThanOrEqual(TERMINATIONS);
    expect(listenTerminated).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 'other')).toEqual([]);
    expect(outcomes.filter((o) => o === 'data').length).toBeGreaterThan(0);
  }, 180_000);

  it('is ready again, answers with data, and has its LISTEN connection back after the storm', async () => {
    expect(await waitUntil(async () => (await request(base).get('/readyz')).status === 200, 30_000)).toBe(
      true,
    );
    expect(await viewerRequest()).toBe('data');
    const listening = await waitUntil(async () => {
      const rows = await admin!`
        select 1 from pg_stat_activity
        where application_name = ${APP_NAME} and datname = current_database() and query ilike 'listen %'`;
      return rows.length > 0;
    }, 30_000);
    expect(listening).toBe(true);
  }, 90_000);

  it('delivers an event notified after the storm to the subscriber that was connected before it', async () => {
    await notifyEvent('after the storm');
    await subscriber!.sub.waitFor(() => messages().includes('after the storm'), 20_000);
    expect(subscriber!.sub.errors).toEqual([]);
    expect(server!.output()).not.toMatch(/uncaught|unhandled/);
    expect(server!.child.exitCode).toBeNull();
  }, 60_000);

  it('ran workers for its own team only (WORKER_ONLY_TEAMS): another team’s queued job is untouched', async () => {
    // Its workers polled every 200 ms all along; one for every team would have paused this job.
    expect(await jobById(database!.db, foreignJob)).toMatchObject({
      status: 'QUEUED',
      attempts: 0,
      lastError: null,
    });
  });
});
