// The syncEvents subscription as a resumable log: cursors, replay then live with no gap and no
// duplicate, commit order even when transactions commit out of start order, and no subscription
// over HTTP. The subscribers listen on a second instance without workers.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { insertSyncEvent } from '../../src/sync/record.js';
import { openTestDatabase, TestServer, usingPostgres } from '../helpers/server.js';
import { type Recorder, record, wsClient } from '../helpers/subscriptions.js';
import {
  addContacts,
  createCampaign,
  person,
  type SyncTeam,
  type SyncWorld,
  setupTeam,
  startSyncWorld,
  waitForIdle,
  waitForStatus,
} from '../helpers/sync.js';

let world: SyncWorld;
let observer: TestServer;

beforeAll(async () => {
  world = await startSyncWorld();
  observer = await TestServer.start({
    env: { PINPOINT_BASE_URL: world.sim.baseUrlTemplate },
    database: usingPostgres ? await openTestDatabase() : world.t.database,
  });
});
afterAll(async () => {
  await observer?.stop();
  if (usingPostgres) await observer?.database.close();
  await world?.stop();
});

type Event = { id: string; cursor: string; kind: string };
type Msg = { syncEvents: Event };
const SUB = `subscription($c: ID, $after: String) { syncEvents(campaignId: $c, after: $after) { id cursor kind } }`;

/** The team's (or a campaign's) events from the list, oldest first. */
async function listed(team: SyncTeam, campaignId: string | null): Promise<Event[]> {
  const events: Event[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = {
      syncEvents: {
        edges: { cursor: string; node: Event }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const res: { data: Page | null | undefined } = await world.t.gql<Page>(
      `query($c: ID, $after: String) { syncEvents(campaignId: $c, first: 100, after: $after) { edges { cursor node { id cursor kind } } pageInfo { hasNextPage endCursor } } }`,
      { c: campaignId, after },
      team.memberToken,
    );
    const page: Page['syncEvents'] = res.data!.syncEvents;
    for (const edge of page.edges) expect(edge.node.cursor).toBe(edge.cursor);
    events.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return events.reverse();
    after = page.pageInfo.endCursor;
  }
}

function subscribe(team: SyncTeam, variables: Record<string, unknown>) {
  const client = wsClient(observer.wsUrl, team.memberToken);
  const sub: Recorder<Msg> = record<Msg>(client, SUB, variables);
  return {
    sub,
    ids: () => sub.values.map((m) => m.syncEvents.id),
    async close() {
      sub.dispose();
      await client.dispose();
    },
  };
}

const listening = () => new Promise((r) => setTimeout(r, 300));

describe('resuming the syncEvents subscription', () => {
  it('starts live without replaying anything, and with the newest cursor sends only later events', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team);
    const [before] = await addContacts(world, team, campaignId, [person('before')]);
    await waitForStatus(world, team, before!, 'SYNCED');
    await waitForIdle(world, team);
    const history = await listed(team, campaignId);
    expect(history.length).toBeGreaterThan(0);
    const live = subscribe(team, { c: campaignId });
    const resumed = subscribe(team, { c: campaignId, after: history.at(-1)!.cursor });
    const fromStart = subscribe(team, { c: campaignId, after: history[0]!.cursor });
    try {
      await listening();
      const [after] = await addContacts(world, team, campaignId, [person('after')]);
      await waitForStatus(world, team, after!, 'SYNCED');
      await waitForIdle(world, team);
      const all = (await listed(team, campaignId)).map((e) => e.id);
      const later = all.slice(history.length);
      await live.sub.waitFor((v) => v.length >= later.length);
      await resumed.sub.waitFor((v) => v.length >= later.length);
      await fromStart.sub.waitFor((v) => v.length >= all.length - 1);
      await listening();
      expect(live.ids()).toEqual(later);
      expect(resumed.ids()).toEqual(later);
      expect(fromStart.ids()).toEqual(all.slice(1));
      expect([...live.sub.errors, ...resumed.sub.errors, ...fromStart.sub.errors]).toEqual([]);
    } finally {
      await Promise.all([live.close(), resumed.close(), fromStart.close()]);
    }
  });

  it('loses and repeats nothing when the socket drops mid-sync and the client resumes from its last cursor', async () => {
    const team = await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN' });
    const campaignId = await createCampaign(world, team);
    const first = subscribe(team, { c: campaignId });
    await listening();
    const contacts = await addContacts(
      world,
      team,
      campaignId,
      Array.from({ length: 12 }, (_, i) => person(`drop${i}`)),
    );
    await first.sub.waitFor((v) => v.length >= 3, 15_000);
    await first.close(); // the socket drops mid-sync
    const seen = first.sub.values.map((m) => m.syncEvents);
    await new Promise((r) => setTimeout(r, 500)); // events keep coming while nobody listens
    const second = subscribe(team, { c: campaignId, after: seen.at(-1)!.cursor });
    try {
      for (const cc of contacts) await waitForStatus(world, team, cc, 'SYNCED', 30_000);
      await waitForIdle(world, team);
      const expected = (await listed(team, campaignId)).map((e) => e.id);
      await second.sub.waitFor((v) => seen.length + v.length >= expected.length, 15_000);
      await listening();
      const received = [...seen.map((e) => e.id), ...second.ids()];
      expect(received).toEqual(expected);
      expect(new Set(received).size).toBe(received.length);
      expect(second.sub.errors).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('refuses a cursor it did not issue with BAD_USER_INPUT', async () => {
    const team = await setupTeam(world);
    const bad = subscribe(team, { after: 'not-a-cursor' });
    try {
      await bad.sub.waitFor(() => bad.sub.errors.length > 0);
      expect(JSON.stringify(bad.sub.errors)).toContain('BAD_USER_INPUT');
    } finally {
      await bad.close();
    }
  });
});

/** Inserts one event the way the engine does, in its own transaction on `database`. */
function writeEvent(database: Database, teamId: string, message: string) {
  return database.db.transaction((tx) =>
    insertSyncEvent(tx, {
      teamId,
      campaignId: null as never,
      campaignContactId: null as never,
      kind: 'SKIPPED',
      message,
    }),
  );
}

describe('the log order', () => {
  it('lists and streams transactions in commit order, and a cursor taken between them does not skip the one that commits late', async () => {
    const team = await setupTeam(world);
    const messages = async () => (await listedMessages(team)).map((e) => e.message);
    const live = subscribe(team, {});
    await listening();
    await writeEvent(world.t.database, team.teamId, 'first');
    let between: string;
    if (usingPostgres) {
      // The late transaction starts first (its created_at is the earliest) but commits last.
      const second = await openTestDatabase();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let started!: () => void;
      const begun = new Promise<void>((r) => {
        started = r;
      });
      const late = second.db.transaction(async (tx) => {
        await tx.execute(sql`select now()`);
        started();
        await gate;
        await insertSyncEvent(tx, {
          teamId: team.teamId,
          campaignId: null as never,
          campaignContactId: null as never,
          kind: 'SKIPPED',
          message: 'late',
        });
      });
      await begun;
      await writeEvent(world.t.database, team.teamId, 'early');
      between = (await listedMessages(team)).at(-1)!.cursor;
      release();
      await late;
      await second.close();
    } else {
      // PGlite has one connection, so transactions cannot interleave: the same story, in sequence.
      await writeEvent(world.t.database, team.teamId, 'early');
      between = (await listedMessages(team)).at(-1)!.cursor;
      await writeEvent(world.t.database, team.teamId, 'late');
    }
    const resumed = subscribe(team, { after: between });
    try {
      expect(await messages()).toEqual(['first', 'early', 'late']);
      const all = await listedMessages(team);
      await live.sub.waitFor((v) => v.length >= 3, 20_000); // a liveness wait: CI runs loaded
      await resumed.sub.waitFor((v) => v.length >= 1, 20_000);
      await listening();
      expect(live.ids()).toEqual(all.map((e) => e.id));
      expect(resumed.ids()).toEqual([all[2]!.id]);
    } finally {
      await Promise.all([live.close(), resumed.close()]);
    }
  });
});

async function listedMessages(team: SyncTeam) {
  type Page = { syncEvents: { edges: { cursor: string; node: { id: string; message: string } }[] } };
  const res = await world.t.gql<Page>(
    `{ syncEvents(first: 100) { edges { cursor node { id message } } } }`,
    {},
    team.memberToken,
  );
  return res.data!.syncEvents.edges.map((e) => ({ ...e.node, cursor: e.cursor })).reverse();
}

describe('a subscription sent over HTTP', () => {
  it('is answered 400, pointing to the WebSocket, as JSON or multipart, logging no error', async () => {
    const team = await observer.createTeam();
    const query = 'subscription { syncEvents { id } }';
    const plain = await observer.gql(query, {}, team.memberToken);
    expect(plain.status).toBe(400);
    expect(plain.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(plain.errors?.[0]?.message).toMatch(/WebSocket.*graphql-transport-ws.*\/graphql/);
    const multipart = await observer
      .http()
      .post('/graphql')
      .set('authorization', `Bearer ${team.memberToken}`)
      .set('accept', 'multipart/mixed;subscriptionSpec="1.0", application/json')
      .send({ query });
    expect(multipart.status).toBe(400);
    expect(multipart.text).toContain('WebSocket');
    expect(multipart.text).not.toContain('INTERNAL_SERVER_ERROR');
    expect(observer.logs.filter((line) => /"level":(50|60|"error"|"fatal")/.test(line))).toEqual([]);
  });
});
